// The conference page. Two ways in:
//  - an invite link, /#room=NAME&token=ROOM_TOKEN (a fragment never reaches the server or its
//    logs): join (participant token) or watch (viewer token); no admin field;
//  - the admin key (kept in localStorage): open or create a room, join it, and manage it
//    (invite links, layout, recordings, the jobs dashboard: admin.js).
// In the room: the mix, a preview of yourself, mute and unmute (the server's audioMuted and
// videoMuted follow, so the others see your placeholder), camera and microphone choice,
// screen sharing (a second WHIP session, ?role=screen), who is there and who speaks (the events
// WebSocket). Failures are shown as sentences (problems.js).
// ?source=synthetic&color=#rrggbb sends a canvas of one colour and a tone instead of the camera (tests).
import { Failure, readToken, inviteProblem, mediaFailure, networkFailure, httpFailure, connectionFailed, sentence } from './problems.js';
import { openSession, closeSession } from './whip.js';
import { setUpAdmin } from './admin.js';

const $ = id => document.getElementById(id);
const enc = encodeURIComponent;
const query = new URLSearchParams(location.search);
const fragment = new URLSearchParams(location.hash.slice(1));
const synthetic = query.get('source') === 'synthetic';
const VIDEO = { width: 640, height: 360 };

const invite = fragment.get('token') ? { token: fragment.get('token'), claims: readToken(fragment.get('token')) } : null;
const viewer = invite?.claims?.role === 'viewer';

const state = {
  room: invite ? fragment.get('room') || invite.claims?.room || '' : null,
  token: invite?.token ?? null, // the room token we join with
  local: null, // the camera and microphone (or the test pattern)
  micOn: true,
  cameraOn: true,
  call: null, // { pc, location, id, senders }
  screen: null, // { pc, location, id, stream }
  events: null,
  people: [],
  speakerId: null,
  nodeUrl: null, // with several nodes: the URL of the node hosting the room
};

const adminKey = () => $('adminKey').value || localStorage.getItem('mcu.adminKey') || '';
// Reads (room, people, events, recordings list) take the invite's token, else the admin key.
const readCredential = () => invite ? invite.token : adminKey();

function say(text, kind = 'error') {
  const message = $('message');
  message.textContent = text;
  message.className = kind;
  message.hidden = !text;
}
const setStatus = text => { $('status').textContent = text; };
const run = action => async () => {
  say('');
  try { await action(); } catch (e) { say(sentence(e)); }
};

async function api(method, path, body, what = invite ? 'read' : 'admin', token = readCredential()) {
  const headers = {};
  if (token) headers.Authorization = 'Bearer ' + token;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch { throw networkFailure(); }
  if (!response.ok) throw await httpFailure(response, what);
  const text = await response.text();
  return text && (response.headers.get('Content-Type') || '').includes('json') ? JSON.parse(text) : text;
}

const admin = invite ? null : setUpAdmin({ api, say, adminKey, room: () => state.room });

// --- camera, microphone, preview ---

function testPattern(color) {
  const canvas = Object.assign(document.createElement('canvas'), { width: 320, height: 240 });
  const g = canvas.getContext('2d');
  setInterval(() => { g.fillStyle = color; g.fillRect(0, 0, canvas.width, canvas.height); }, 33);
  const stream = canvas.captureStream(30);
  const audio = new AudioContext({ sampleRate: 48000 });
  const tone = audio.createOscillator();
  const out = audio.createMediaStreamDestination();
  tone.connect(out);
  tone.start();
  stream.addTrack(out.stream.getAudioTracks()[0]);
  return stream;
}

async function capture(constraints) {
  if (!navigator.mediaDevices) throw new Failure('This browser gives the camera only to secure pages: open this page over https.');
  try {
    return await navigator.mediaDevices.getUserMedia(constraints);
  } catch (e) {
    if (e.name === 'NotFoundError' && constraints.audio && constraints.video) {
      // One of the two is missing: go on with the other.
      for (const one of [{ audio: true }, { video: VIDEO }]) {
        try { return await navigator.mediaDevices.getUserMedia(one); } catch { /* try the other */ }
      }
    }
    throw mediaFailure(e);
  }
}

async function startPreview() {
  if (viewer || state.local) return;
  state.local = synthetic ? testPattern(query.get('color') || '#dc2828') : await capture({ audio: true, video: VIDEO });
  $('preview').srcObject = state.local;
  applyMute();
  await listDevices();
}

function fillDevices(select, devices, track, noun) {
  const current = track?.getSettings().deviceId;
  select.replaceChildren();
  if (synthetic) select.append(new Option(noun === 'Camera' ? 'Test pattern' : 'Test tone', ''));
  devices.forEach((d, i) => select.append(new Option(d.label || `${noun} ${i + 1}`, d.deviceId)));
  if (current && devices.some(d => d.deviceId === current)) select.value = current;
}

async function listDevices() {
  if (!state.local) return;
  const devices = await navigator.mediaDevices.enumerateDevices();
  fillDevices($('cameraSelect'), devices.filter(d => d.kind === 'videoinput'), state.local.getVideoTracks()[0], 'Camera');
  fillDevices($('micSelect'), devices.filter(d => d.kind === 'audioinput'), state.local.getAudioTracks()[0], 'Microphone');
}

/** Another camera or microphone: a new track in the preview and, while in the room, on the same sender. */
async function chooseDevice(kind) {
  const id = (kind === 'video' ? $('cameraSelect') : $('micSelect')).value;
  if (!id || !state.local) return;
  const stream = await capture(kind === 'video' ? { video: { ...VIDEO, deviceId: { exact: id } } } : { audio: { deviceId: { exact: id } } });
  const track = stream.getTracks()[0];
  const kept = state.local.getTracks().filter(t => t.kind !== kind);
  state.local.getTracks().filter(t => t.kind === kind).forEach(t => t.stop());
  state.local = new MediaStream([...kept, track]);
  $('preview').srcObject = state.local;
  applyMute();
  if (state.call) await state.call.senders[kind].replaceTrack(track);
}

// --- mute ---

function applyMute() {
  for (const t of state.local?.getAudioTracks() ?? []) t.enabled = state.micOn;
  for (const t of state.local?.getVideoTracks() ?? []) t.enabled = state.cameraOn;
  $('mic').textContent = state.micOn ? 'Mute microphone' : 'Unmute microphone';
  $('mic').setAttribute('aria-pressed', String(!state.micOn));
  $('camera').textContent = state.cameraOn ? 'Turn camera off' : 'Turn camera on';
  $('camera').setAttribute('aria-pressed', String(!state.cameraOn));
  $('preview').classList.toggle('off', !state.cameraOn);
}

// The server shows the placeholder and leaves us out of the mix; the tracks also stop carrying anything.
let mutesInFlight = 0;
async function tellMuted() {
  mutesInFlight++;
  try {
    await api('PATCH', `/api/rooms/${enc(state.room)}/participants/${state.call.id}`,
      { audioMuted: !state.micOn, videoMuted: !state.cameraOn }, 'join', state.token);
  } finally { mutesInFlight--; }
}

async function toggle(kind) {
  if (kind === 'audio') state.micOn = !state.micOn; else state.cameraOn = !state.cameraOn;
  applyMute();
  if (state.call) await tellMuted();
}

// --- joining, leaving, sharing ---

async function join() {
  if (!invite) {
    await openRoom();
    state.token = (await api('POST', `/api/rooms/${enc(state.room)}/tokens`, { role: 'participant' })).token;
  }
  await startPreview();
  const name = $('name').value.trim();
  const senders = {};
  setStatus('connecting');
  $('join').disabled = true;
  try {
    state.call = await openSession(`/api/rooms/${enc(state.room)}/${viewer ? 'whep' : 'whip'}${name ? '?name=' + enc(name) : ''}`, state.token, pc => {
      for (const kind of ['audio', 'video']) {
        // A sender for each kind even without a track, so a camera chosen later can go on it.
        const track = state.local?.getTracks().find(t => t.kind === kind);
        senders[kind] = pc.addTransceiver(track ?? kind, { direction: viewer ? 'recvonly' : 'sendrecv', streams: track ? [state.local] : [] }).sender;
      }
      pc.ontrack = e => {
        const stream = e.streams[0] || new MediaStream([e.track]);
        if (e.track.kind === 'video') $('remote').srcObject = stream; else $('remoteAudio').srcObject = stream;
      };
      pc.onconnectionstatechange = () => {
        if (pc !== state.call?.pc) return;
        setStatus(pc.connectionState);
        if (pc.connectionState === 'failed') say(connectionFailed);
      };
    }, viewer ? 'watch' : 'join');
  } catch (e) {
    setStatus('not connected');
    $('join').disabled = false;
    throw e;
  }
  state.call.senders = senders;
  inCall(true);
  if (!state.micOn || !state.cameraOn) await tellMuted();
  await watchRoom();
}

function inCall(joined) {
  $('mixNote').hidden = joined;
  $('join').hidden = joined;
  $('join').disabled = false;
  $('leave').hidden = !joined;
  $('share').disabled = !joined;
  $('name').disabled = joined;
}

/** Our session is over (left, removed, or the room ended): tidy up the page. */
async function endCall() {
  await stopSharing();
  const call = state.call;
  state.call = null;
  await closeSession(call, state.token);
  $('remote').srcObject = null;
  inCall(false);
  setStatus('not connected');
  renderPeople();
}

async function share() {
  if (state.screen) return stopSharing();
  let stream;
  try {
    stream = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false });
  } catch (e) { throw mediaFailure(e, true); }
  const track = stream.getVideoTracks()[0];
  const name = `${($('name').value.trim() || 'Guest').slice(0, 50)} (screen)`;
  try {
    state.screen = await openSession(`/api/rooms/${enc(state.room)}/whip?role=screen&name=${enc(name)}`, state.token,
      pc => pc.addTransceiver(track, { direction: 'sendonly' }), 'screen');
  } catch (e) {
    track.stop();
    throw e;
  }
  state.screen.stream = stream;
  state.screen.pc.onconnectionstatechange = () => {
    if (state.screen?.pc.connectionState === 'failed') say('Screen sharing lost its connection. ' + connectionFailed);
  };
  track.onended = () => stopSharing(); // the browser's own "Stop sharing"
  $('share').textContent = 'Stop sharing';
  $('share').setAttribute('aria-pressed', 'true');
}

async function stopSharing() {
  const screen = state.screen;
  if (!screen) return;
  state.screen = null;
  screen.stream.getTracks().forEach(t => t.stop());
  $('share').textContent = 'Share screen';
  $('share').setAttribute('aria-pressed', 'false');
  await closeSession(screen, state.token);
}

// --- the room: who is there, who speaks ---

async function openRoom() {
  const name = $('room').value.trim();
  if (!adminKey()) throw new Failure('Enter the admin key first.');
  if (!name) throw new Failure('Give the room a name.');
  if (state.room === name && state.events) return;
  if (state.call) throw new Failure('Leave this room before opening another.');
  try {
    await api('POST', '/api/rooms', { name });
  } catch (e) {
    if (e.status !== 409) throw e; // 409: it exists already
  }
  state.room = name;
  $('roomTitle').textContent = name;
  await watchRoom();
  await admin.opened();
}

async function refreshRoom(adoptOwnMute = false) {
  const room = await api('GET', `/api/rooms/${enc(state.room)}`);
  state.people = room.participants;
  state.speakerId = room.speakerId;
  state.nodeUrl = room.nodeUrl ?? null;
  renderPeople();
  admin?.roomChanged(room);
  const me = state.people.find(p => p.id === state.call?.id);
  if (adoptOwnMute && mutesInFlight === 0 && me && (me.audioMuted === state.micOn || me.videoMuted === state.cameraOn)) {
    // The admin muted or unmuted us: the buttons and tracks follow (not while our own change is on its way).
    state.micOn = !me.audioMuted;
    state.cameraOn = !me.videoMuted;
    applyMute();
  }
}

async function watchRoom() {
  await refreshRoom();
  if (state.events?.room === state.room && state.events.node === state.nodeUrl) return;
  state.events?.close();
  // On the node that hosts the room (with several nodes): a browser's WebSocket does not follow redirects.
  const url = new URL(`/api/rooms/${enc(state.room)}/events`, state.nodeUrl ?? location.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  let socket;
  try {
    socket = new WebSocket(url, ['mcu-events', 'bearer.' + readCredential()]);
  } catch {
    // An admin key with characters a subprotocol cannot carry: watch with a viewer token minted by it.
    const minted = await api('POST', `/api/rooms/${enc(state.room)}/tokens`, { role: 'viewer' });
    socket = new WebSocket(url, ['mcu-events', 'bearer.' + minted.token]);
  }
  socket.room = state.room;
  socket.node = state.nodeUrl;
  socket.onmessage = message => onEvent(JSON.parse(message.data));
  socket.onclose = () => { if (state.events === socket) state.events = null; };
  state.events = socket;
}

let refreshTimer = 0, adoptMute = false;
function onEvent(e) {
  if (e.type === 'speakerChanged') {
    state.speakerId = e.participantId ?? null;
    renderPeople();
    return;
  }
  if (e.type === 'roomClosed') {
    say('The room has ended.', 'info');
    endCall();
    return;
  }
  if (e.type === 'participantLeft' && state.call && e.participantId === state.call.id) {
    say('The server ended your session: you were removed from the room, or your connection was lost.');
    endCall();
  }
  if (e.type === 'participantLeft' && state.screen && e.participantId === state.screen.id) stopSharing();
  if (e.type.startsWith('recording')) admin?.recordingsChanged();
  if (e.type.startsWith('stream')) admin?.streamsChanged();
  adoptMute ||= e.type === 'participantUpdated' && e.participantId === state.call?.id && /Muted|Unmuted/.test(e.detail || '');
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(() => {
    const adopt = adoptMute;
    adoptMute = false;
    refreshRoom(adopt).catch(() => {});
  }, 100);
}

function renderPeople() {
  const list = $('people');
  list.replaceChildren();
  if (state.people.length === 0) {
    list.append(Object.assign(document.createElement('li'), { className: 'none', textContent: 'Nobody yet.' }));
    return;
  }
  for (const p of state.people) {
    const item = document.createElement('li');
    item.dataset.id = p.id;
    item.append(p.displayName);
    const tags = [];
    if (p.id === state.call?.id || p.id === state.screen?.id) tags.push('you');
    if (p.role !== 'participant') tags.push(p.role);
    if (p.audioMuted) tags.push('muted');
    if (p.videoMuted) tags.push('camera off');
    if (p.pinned) tags.push('pinned');
    // A big room shows as many as its layout holds; who is seen follows the voice (stageChanged).
    if (p.role !== 'viewer' && p.onStage === false) {
      item.classList.add('off-stage');
      tags.push('not on screen');
    }
    if (p.id === state.speakerId) {
      item.classList.add('speaker');
      tags.push('speaking');
    }
    if (tags.length) item.append(Object.assign(document.createElement('span'), { className: 'tag', textContent: tags.join(' · ') }));
    list.append(item);
  }
}

// --- start ---

// What the page decodes, for tests (a person looks at the picture).
window.mcuPage = {
  connectionState: () => state.call ? state.call.pc.connectionState : 'none',
  screenState: () => state.screen ? state.screen.pc.connectionState : 'none',
  myId: () => state.call?.id ?? null,
  sessionLocation: () => state.call?.location ?? null,
  async framesDecoded() {
    let frames = 0;
    if (state.call) (await state.call.pc.getStats()).forEach(s => { if (s.type === 'inbound-rtp' && s.kind === 'video') frames = s.framesDecoded || 0; });
    return frames;
  },
  pixelAt(fx, fy) {
    const video = $('remote');
    if (video.videoWidth === 0) return null;
    const canvas = Object.assign(document.createElement('canvas'), { width: video.videoWidth, height: video.videoHeight });
    const g = canvas.getContext('2d');
    g.drawImage(video, 0, 0);
    return [...g.getImageData(Math.floor(fx * canvas.width), Math.floor(fy * canvas.height), 1, 1).data.slice(0, 3)];
  },
};

$('join').onclick = run(join);
$('leave').onclick = run(endCall);
$('mic').onclick = run(() => toggle('audio'));
$('camera').onclick = run(() => toggle('video'));
$('share').onclick = run(share);
$('cameraSelect').onchange = run(() => chooseDevice('video'));
$('micSelect').onchange = run(() => chooseDevice('audio'));
navigator.mediaDevices?.addEventListener('devicechange', () => listDevices().catch(() => {}));
// Closing the tab leaves the room at once, rather than when the server notices the silence.
window.addEventListener('pagehide', () => {
  for (const session of [state.call, state.screen]) {
    if (session) fetch(session.location, { method: 'DELETE', headers: { Authorization: 'Bearer ' + state.token }, keepalive: true });
  }
});
// Another invite link pasted into this tab changes only the fragment: start over with it.
window.addEventListener('hashchange', () => location.reload());

if (invite) {
  $('roomTitle').textContent = state.room;
  document.body.classList.toggle('viewer', viewer);
  $('join').textContent = viewer ? 'Watch' : 'Join';
  const problem = inviteProblem(invite.claims);
  if (problem) {
    say(problem);
    $('join').disabled = true;
  } else {
    // Ask the server too: the room may have ended since the link was made (a room not made yet is fine).
    watchRoom().catch(e => {
      if (e.status === 404) return;
      say(sentence(e));
      if (e.status === 401 || e.status === 403) $('join').disabled = true;
    });
    startPreview().catch(e => say(sentence(e)));
  }
} else {
  $('admin').hidden = false;
  $('adminKey').value = localStorage.getItem('mcu.adminKey') || '';
  $('saveKey').onclick = run(async () => { localStorage.setItem('mcu.adminKey', $('adminKey').value); say('The key is kept in this browser.', 'info'); });
  $('openRoom').onclick = run(openRoom);
  if (!adminKey()) say('Enter the admin key to open a room, or open an invite link someone sent you.', 'info');
  admin.start();
  startPreview().catch(e => say(sentence(e)));
}
