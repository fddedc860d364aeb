// The conference page: pick or create a room, join over WHIP, watch the mix, see who is
// there and who speaks, switch the layout, record. Auth: the admin key (localStorage) mints a
// room token for joining; or #room=…&token=… in the URL (a fragment never reaches the server's logs).
// Reads need a token too: the admin key, else the room token (the events socket takes it as a
// "bearer.<token>" subprotocol, since a browser cannot set headers on a WebSocket).
// ?source=synthetic&color=#rrggbb sends a canvas of one colour instead of the camera (tests).
'use strict';

const params = new URLSearchParams(location.search);
const fragment = new URLSearchParams(location.hash.slice(1));
const $ = id => document.getElementById(id);
let pc = null, resource = null, joinToken = null, events = null, recordingId = null, currentRoom = null;
const probe = document.createElement('canvas');

const adminKey = () => $('adminKey').value || localStorage.getItem('mcu.adminKey') || '';
const roomName = () => $('room').value.trim();
function setStatus(text) { $('status').textContent = text; }

// The credential for reads: the admin key, else the room token of the URL fragment or of our join.
const readToken = () => adminKey() || joinToken || fragment.get('token') || '';

async function api(method, path, body, token) {
  const headers = {};
  const bearer = token || readToken();
  if (bearer) headers.Authorization = 'Bearer ' + bearer;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  const data = text && (response.headers.get('Content-Type') || '').includes('json') ? JSON.parse(text) : text;
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${data.detail || data.title || text}`);
  return data;
}

async function refreshRooms() {
  const rooms = await api('GET', '/api/rooms');
  $('rooms').innerHTML = '';
  for (const r of rooms) { const o = document.createElement('option'); o.value = r.name; $('rooms').append(o); }
}

async function refreshLayouts() {
  const list = await api('GET', '/api/layouts');
  const select = $('layout');
  select.innerHTML = '<option value="auto">auto</option>';
  for (const t of list.templates) { const o = document.createElement('option'); o.value = o.textContent = t.name; select.append(o); }
}

async function refreshRoom() {
  if (!currentRoom) return;
  let room;
  try { room = await api('GET', `/api/rooms/${encodeURIComponent(currentRoom)}`); } catch { return; }
  const list = $('people');
  list.innerHTML = '';
  for (const p of room.participants) {
    const li = document.createElement('li');
    li.textContent = `${p.displayName} (${p.role}${p.audioMuted ? ', muted' : ''})`;
    li.dataset.id = p.id;
    if (p.id === room.speakerId) li.className = 'speaker';
    list.append(li);
  }
  $('layout').value = room.layout;
  $('recordStatus').textContent = room.recording ? 'recording' : '';
}

async function watchEvents(room) {
  if (events) events.close();
  const url = new URL(`/api/rooms/${encodeURIComponent(room)}/events`, location.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  try {
    events = new WebSocket(url, ['mcu-events', 'bearer.' + readToken()]);
  } catch {
    // An admin key with characters a subprotocol cannot carry: watch with a viewer token minted by it.
    const viewer = await api('POST', `/api/rooms/${encodeURIComponent(room)}/tokens`, { role: 'viewer' });
    events = new WebSocket(url, ['mcu-events', 'bearer.' + viewer.token]);
  }
  events.onmessage = message => {
    const e = JSON.parse(message.data);
    if (e.type.startsWith('recording')) $('recordStatus').textContent = e.type.replace('recording', '').toLowerCase();
    refreshRoom();
  };
}

async function createRoom() {
  await api('POST', '/api/rooms', { name: roomName() });
  await refreshRooms();
}

function syntheticStream(color) {
  const canvas = document.createElement('canvas');
  canvas.width = 320; canvas.height = 240;
  const g = canvas.getContext('2d');
  setInterval(() => { g.fillStyle = color; g.fillRect(0, 0, canvas.width, canvas.height); }, 33);
  const stream = canvas.captureStream(30);
  const audio = new AudioContext({ sampleRate: 48000 });
  const osc = audio.createOscillator();
  const dest = audio.createMediaStreamDestination();
  osc.connect(dest); osc.start();
  stream.addTrack(dest.stream.getAudioTracks()[0]);
  return stream;
}

function iceGatheringComplete(peer) {
  if (peer.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise(resolve => {
    peer.addEventListener('icegatheringstatechange', () => { if (peer.iceGatheringState === 'complete') resolve(); });
    setTimeout(resolve, 2000);
  });
}

async function join() {
  const room = roomName();
  joinToken = fragment.get('token') && fragment.get('room') === room
    ? fragment.get('token')
    : (await api('POST', `/api/rooms/${encodeURIComponent(room)}/tokens`, { role: 'participant' })).token;
  const local = params.get('source') === 'synthetic'
    ? syntheticStream(params.get('color') || '#dc2828')
    : await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 640, height: 360 } });
  pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle' });
  for (const track of local.getTracks()) pc.addTransceiver(track, { direction: 'sendrecv', streams: [local] });
  pc.ontrack = event => {
    const stream = event.streams[0] || new MediaStream([event.track]);
    if (event.track.kind === 'video') $('remote').srcObject = stream; else $('remoteAudio').srcObject = stream;
  };
  pc.onconnectionstatechange = () => setStatus(pc.connectionState);
  await pc.setLocalDescription(await pc.createOffer());
  await iceGatheringComplete(pc);
  const name = $('name').value.trim();
  const response = await fetch(`/api/rooms/${encodeURIComponent(room)}/whip` + (name ? `?name=${encodeURIComponent(name)}` : ''), {
    method: 'POST', headers: { 'Content-Type': 'application/sdp', Authorization: 'Bearer ' + joinToken }, body: pc.localDescription.sdp });
  if (response.status !== 201) throw new Error(`WHIP answered ${response.status}: ${await response.text()}`);
  resource = new URL(response.headers.get('Location'), location.href).href;
  await pc.setRemoteDescription({ type: 'answer', sdp: await response.text() });
  currentRoom = room;
  await watchEvents(room);
  await refreshRoom();
  $('join').disabled = true; $('leave').disabled = false;
}

async function leave() {
  if (resource) await fetch(resource, { method: 'DELETE', headers: { Authorization: 'Bearer ' + joinToken } });
  if (pc) pc.close();
  if (events) events.close();
  pc = null; resource = null; events = null;
  setStatus('left');
  $('join').disabled = false; $('leave').disabled = true;
}

async function setLayout(layout) {
  await api('PUT', `/api/rooms/${encodeURIComponent(currentRoom || roomName())}/layout`, { layout });
}

async function startRecording() {
  const recording = await api('POST', `/api/rooms/${encodeURIComponent(currentRoom || roomName())}/recordings`, {});
  recordingId = recording.id;
  $('stopRecord').disabled = false;
}

async function stopRecording() {
  if (!recordingId) return;
  await api('POST', `/api/rooms/${encodeURIComponent(currentRoom || roomName())}/recordings/${encodeURIComponent(recordingId)}/stop`, {});
  recordingId = null;
  $('stopRecord').disabled = true;
}

// What the page shows, for people and for tests.
window.mcuPage = {
  join, leave, setLayout, createRoom, startRecording, stopRecording,
  connectionState: () => pc ? pc.connectionState : 'none',
  people: () => [...$('people').children].map(li => ({ id: li.dataset.id, text: li.textContent, speaker: li.className === 'speaker' })),
  async framesDecoded() {
    let frames = 0;
    if (pc) (await pc.getStats()).forEach(s => { if (s.type === 'inbound-rtp' && s.kind === 'video') frames = s.framesDecoded || 0; });
    return frames;
  },
  pixelAt(fx, fy) {
    const video = $('remote');
    if (video.videoWidth === 0) return null;
    probe.width = video.videoWidth; probe.height = video.videoHeight;
    const g = probe.getContext('2d');
    g.drawImage(video, 0, 0);
    const d = g.getImageData(Math.floor(fx * probe.width), Math.floor(fy * probe.height), 1, 1).data;
    return [d[0], d[1], d[2]];
  },
};

const run = action => () => action().catch(e => setStatus('error: ' + e.message));
$('adminKey').value = localStorage.getItem('mcu.adminKey') || '';
if (fragment.get('room')) $('room').value = fragment.get('room');
$('saveKey').onclick = () => { localStorage.setItem('mcu.adminKey', $('adminKey').value); setStatus('key kept'); };
$('create').onclick = run(createRoom);
$('join').onclick = run(join);
$('leave').onclick = run(leave);
$('applyLayout').onclick = run(() => setLayout($('layout').value));
$('record').onclick = run(startRecording);
$('stopRecord').onclick = run(stopRecording);
// The dashboard wants the admin key, which a link cannot send: trade it for a short-lived cookie, then open it.
$('dashboard').onclick = run(async () => {
  await api('POST', '/api/dashboard/session', undefined, adminKey());
  window.open('/hangfire', '_blank');
});
refreshRooms().catch(() => {});
refreshLayouts().catch(() => {});
