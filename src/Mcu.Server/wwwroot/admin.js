// The admin's side of the page (with the admin key): invite links, the layout, recordings
// (start, stop, play, download) and the jobs dashboard.
import { httpFailure, networkFailure, sentence } from './problems.js';
import { setUpStreams } from './streams.js';

const $ = id => document.getElementById(id);
const enc = encodeURIComponent;
const running = r => r.state === 'queued' || r.state === 'recording';
const unfinished = r => running(r) || r.state === 'finalizing';

/** Wires the admin controls; `room()` is the open room. */
export function setUpAdmin({ api, say, adminKey, room }) {
  const base = () => `/api/rooms/${enc(room())}`;
  const files = new Map(); // recording id → object URL of its MP4
  let recordings = [], poll = 0, layout = 'auto';

  const run = action => async () => {
    say('');
    try { await action(); } catch (e) { say(sentence(e)); }
  };

  async function refreshRooms() {
    const rooms = await api('GET', '/api/rooms');
    $('rooms').replaceChildren(...rooms.map(r => new Option(r.name)));
  }

  async function refreshLayouts() {
    const list = await api('GET', '/api/layouts');
    $('layout').replaceChildren(new Option('auto'), ...list.templates.map(t => new Option(t.name)));
    $('layout').value = layout;
  }

  async function invite(role) {
    const minted = await api('POST', `${base()}/tokens`, { role, ttlSeconds: Number($('inviteTtl').value) });
    const link = `${location.origin}${location.pathname}#room=${enc(room())}&token=${enc(minted.token)}`;
    const field = $('inviteLink');
    field.value = link;
    let copied;
    try {
      await navigator.clipboard.writeText(link);
      copied = true;
    } catch {
      field.select(); // no clipboard API (a page over plain http): the old way
      copied = document.execCommand('copy');
    }
    const until = new Date(minted.expiresAt).toLocaleString();
    say(`${role === 'viewer' ? 'Viewer' : 'Participant'} link ${copied ? 'copied' : 'below: copy it'}; it works until ${until}.`, 'info');
  }

  async function refreshRecordings() {
    clearTimeout(poll);
    recordings = await api('GET', `${base()}/recordings`);
    $('record').disabled = recordings.some(running);
    $('stopRecord').disabled = !recordings.some(running);
    $('recordings').replaceChildren(...recordings.map(describe));
    // No event says when post-processing ends: look again while any is unfinished.
    if (recordings.some(unfinished)) poll = setTimeout(() => refreshRecordings().catch(() => {}), 2000);
  }

  function describe(r) {
    const item = document.createElement('li');
    item.dataset.id = r.id;
    const when = new Date(r.createdAt).toLocaleString();
    const size = r.sizeBytes ? ` · ${(r.sizeBytes / 1e6).toFixed(1)} MB` : '';
    const length = r.durationSeconds ? ` · ${Math.round(r.durationSeconds)} s` : '';
    item.append(`${when} · ${r.state}${length}${size}${r.reason ? ' · ' + r.reason : ''}`);
    if (r.file && (r.state === 'done' || r.state === 'interrupted')) {
      const play = Object.assign(document.createElement('button'), { textContent: 'Play', className: 'play' });
      const download = Object.assign(document.createElement('button'), { textContent: 'Download', className: 'download' });
      play.onclick = run(async () => {
        const video = $('playback');
        video.src = await fileUrl(r);
        video.hidden = false;
        await video.play();
      });
      download.onclick = run(async () => {
        const a = Object.assign(document.createElement('a'), { href: await fileUrl(r), download: r.file });
        document.body.append(a);
        a.click();
        a.remove();
      });
      item.append(play, download);
    }
    return item;
  }

  // The file needs the admin key, which neither a <video> nor a link can send: fetch it, hand over a blob.
  async function fileUrl(r) {
    if (!files.has(r.id)) {
      let response;
      try {
        response = await fetch(`${base()}/recordings/${enc(r.id)}/file`, { headers: { Authorization: 'Bearer ' + adminKey() } });
      } catch { throw networkFailure(); }
      if (!response.ok) throw await httpFailure(response, 'admin');
      files.set(r.id, URL.createObjectURL(await response.blob()));
    }
    return files.get(r.id);
  }

  $('inviteParticipant').onclick = run(() => invite('participant'));
  $('inviteViewer').onclick = run(() => invite('viewer'));
  $('layout').onchange = run(() => api('PUT', `${base()}/layout`, { layout: $('layout').value }));
  $('record').onclick = run(async () => {
    await api('POST', `${base()}/recordings`, {});
    await refreshRecordings();
  });
  $('stopRecord').onclick = run(async () => {
    for (const r of recordings.filter(running)) await api('POST', `${base()}/recordings/${enc(r.id)}/stop`, {});
    await refreshRecordings();
  });
  const streams = setUpStreams({ api, say, run, room });
  // The dashboard wants the admin key, which a link cannot send: trade it for a short-lived cookie, then open it.
  $('dashboard').onclick = run(async () => {
    await api('POST', '/api/dashboard/session', undefined, 'admin', adminKey());
    window.open('/hangfire', '_blank');
  });

  return {
    start() {
      refreshLayouts().catch(() => {});
      if (adminKey()) refreshRooms().catch(() => {});
    },
    /** A room was opened: show its tools. */
    async opened() {
      $('manage').hidden = false;
      $('inviteLink').value = '';
      $('playback').hidden = true;
      for (const url of files.values()) URL.revokeObjectURL(url);
      files.clear();
      await Promise.all([refreshLayouts(), refreshRecordings(), refreshRooms(), streams.refresh()]);
    },
    roomChanged(view) {
      layout = view.layout;
      $('layout').value = layout;
    },
    recordingsChanged() {
      refreshRecordings().catch(() => {});
    },
    streamsChanged() {
      streams.refresh().catch(() => {});
    },
  };
}
