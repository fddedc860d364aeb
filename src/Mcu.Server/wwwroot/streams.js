// The admin's live streaming controls: push the room to an RTMP/SRT URL, run its HLS, and copy a
// watch link (a viewer token in the fragment of /watch.html) for people who watch without WebRTC.
const $ = id => document.getElementById(id);
const enc = encodeURIComponent;
const going = s => s.state === 'starting' || s.state === 'live' || s.state === 'reconnecting';

/** Wires the streaming controls; `run` wraps an action to show its failure, `room()` is the open room. */
export function setUpStreams({ api, say, run, room }) {
  const base = () => `/api/rooms/${enc(room())}`;
  let streams = [], poll = 0;

  async function refresh() {
    clearTimeout(poll);
    streams = await api('GET', `${base()}/streams`);
    const pushes = streams.filter(s => s.kind !== 'hls' && going(s));
    const hls = streams.some(s => s.kind === 'hls' && going(s));
    $('stopStream').disabled = pushes.length === 0;
    $('startHls').disabled = hls;
    $('stopHls').disabled = !hls;
    $('watchLink').disabled = !hls;
    $('streams').replaceChildren(...streams.map(s => {
      const item = document.createElement('li');
      item.dataset.id = s.id;
      const sent = s.bytesSent ? ` · ${(s.bytesSent / 1e6).toFixed(1)} MB` : '';
      const rate = s.state === 'live' && s.bitrateKbps ? ` · ${s.bitrateKbps} kbps` : '';
      item.append(`${s.kind} ${s.target} · ${s.state}${rate}${sent}${s.reason ? ' · ' + s.reason : ''}`);
      return item;
    }));
    // State, bytes and bitrate change without an event: look again while any goes on.
    if (streams.some(going)) poll = setTimeout(() => refresh().catch(() => {}), 2000);
  }

  $('startStream').onclick = run(async () => {
    await api('POST', `${base()}/streams`, { url: $('streamUrl').value.trim() });
    await refresh();
  });
  $('stopStream').onclick = run(async () => {
    for (const s of streams.filter(s => s.kind !== 'hls' && going(s))) await api('POST', `${base()}/streams/${enc(s.id)}/stop`, {});
    await refresh();
  });
  $('startHls').onclick = run(async () => {
    await api('POST', `${base()}/hls`, {});
    await refresh();
  });
  $('stopHls').onclick = run(async () => {
    await api('DELETE', `${base()}/hls`);
    await refresh();
  });
  $('watchLink').onclick = run(async () => {
    const minted = await api('POST', `${base()}/tokens`, { role: 'viewer', ttlSeconds: Number($('inviteTtl').value) });
    const link = `${location.origin}/watch.html#room=${enc(room())}&token=${enc(minted.token)}`;
    $('inviteLink').value = link;
    try { await navigator.clipboard.writeText(link); say('Watch link copied.', 'info'); } catch { say('Watch link below: copy it.', 'info'); }
  });

  return { refresh };
}
