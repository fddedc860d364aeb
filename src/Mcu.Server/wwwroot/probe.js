// The media probe: WHIP to an endpoint (?endpoint=, default the echo /api/echo/whip) and play
// back what comes back. ?source=synthetic sends a canvas of one colour (?color=#rrggbb) and a
// sine tone (?tone=Hz) instead of the camera and microphone; #token= (a URL fragment, so it
// never reaches the server's request log) is sent as the bearer token;
// ?name= as the display name. ?transport=tcp plays a client whose UDP is blocked: the answer's UDP
// candidates are removed before it is applied, so only ICE-TCP (RFC 6544) is left.
// Tests drive it through window.mcuEcho.
'use strict';

const params = new URLSearchParams(location.search);
const token = new URLSearchParams(location.hash.slice(1)).get('token');
const statusEl = document.getElementById('status');
const remoteVideo = document.getElementById('remote');
const remoteAudio = document.getElementById('remoteAudio');
let pc = null, resource = null, analyser = null, audioContext = null;
const probe = document.createElement('canvas');

function setStatus(text) { statusEl.textContent = text; }

function syntheticStream(color, toneHz) {
  const canvas = document.createElement('canvas');
  canvas.width = 320; canvas.height = 240;
  const g = canvas.getContext('2d');
  // Repaint continuously: a canvas track only produces frames when the canvas changes.
  setInterval(() => { g.fillStyle = color; g.fillRect(0, 0, canvas.width, canvas.height); }, 33);
  const stream = canvas.captureStream(30);
  audioContext = audioContext || new AudioContext({ sampleRate: 48000 });
  const osc = audioContext.createOscillator();
  osc.frequency.value = toneHz;
  const gain = audioContext.createGain(); gain.gain.value = 0.5;
  const dest = audioContext.createMediaStreamDestination();
  osc.connect(gain).connect(dest); osc.start();
  stream.addTrack(dest.stream.getAudioTracks()[0]);
  return stream;
}

function iceGatheringComplete(peer) {
  if (peer.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise(resolve => {
    const check = () => { if (peer.iceGatheringState === 'complete') resolve(); };
    peer.addEventListener('icegatheringstatechange', check);
    setTimeout(resolve, 2000); // host candidates are enough; don't wait for a STUN server we don't use
  });
}

async function start() {
  const local = params.get('source') === 'synthetic'
    ? syntheticStream(params.get('color') || '#dc2828', Number(params.get('tone') || 1000))
    : await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 640, height: 360 } });
  pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle' });
  for (const track of local.getTracks()) pc.addTransceiver(track, { direction: 'sendrecv', streams: [local] });
  pc.ontrack = event => {
    const stream = event.streams[0] || new MediaStream([event.track]);
    if (event.track.kind === 'video') remoteVideo.srcObject = stream;
    else {
      remoteAudio.srcObject = stream;
      audioContext = audioContext || new AudioContext({ sampleRate: 48000 });
      analyser = audioContext.createAnalyser();
      analyser.fftSize = 4096;
      audioContext.createMediaStreamSource(new MediaStream([event.track])).connect(analyser);
    }
  };
  pc.onconnectionstatechange = () => setStatus(pc.connectionState);
  await pc.setLocalDescription(await pc.createOffer());
  await iceGatheringComplete(pc);
  const endpoint = new URL(params.get('endpoint') || '/api/echo/whip', location.href);
  if (params.get('name')) endpoint.searchParams.set('name', params.get('name'));
  const headers = { 'Content-Type': 'application/sdp' };
  if (token) headers.Authorization = 'Bearer ' + token;
  let response = await fetch(endpoint, { method: 'POST', headers, body: pc.localDescription.sdp });
  // Redirected to another node (307): the browser dropped the token on the way (another origin); send it there again.
  if (response.status === 401 && response.redirected && token) response = await fetch(response.url, { method: 'POST', headers, body: pc.localDescription.sdp });
  if (response.status !== 201) throw new Error(`WHIP answered ${response.status}: ${await response.text()}`);
  resource = new URL(response.headers.get('Location'), response.url).href;
  let answer = await response.text();
  if (params.get('transport') === 'tcp') answer = answer.split('\r\n').filter(line => !/^a=candidate:\S+ \d+ udp /i.test(line)).join('\r\n');
  await pc.setRemoteDescription({ type: 'answer', sdp: answer });
  document.getElementById('stop').disabled = false;
}

async function stop() {
  const headers = token ? { Authorization: 'Bearer ' + token } : {};
  if (resource) await fetch(resource, { method: 'DELETE', headers });
  if (pc) pc.close();
  pc = null; resource = null;
  setStatus('stopped');
}

// What the page decoded, for people (the video) and for tests (these functions).
window.mcuEcho = {
  start, stop,
  connectionState: () => pc ? pc.connectionState : 'none',
  centerPixel() { return window.mcuEcho.colourAt(0.5, 0.5); },
  // The average colour of a 7x7 square around a point given in fractions of the received picture.
  colourAt(fx, fy) {
    if (remoteVideo.videoWidth === 0) return null;
    probe.width = remoteVideo.videoWidth; probe.height = remoteVideo.videoHeight;
    const g = probe.getContext('2d');
    g.drawImage(remoteVideo, 0, 0);
    const x = Math.max(0, Math.round(fx * probe.width) - 3), y = Math.max(0, Math.round(fy * probe.height) - 3);
    const d = g.getImageData(x, y, 7, 7).data;
    const sum = [0, 0, 0];
    for (let i = 0; i < d.length; i += 4) { sum[0] += d[i]; sum[1] += d[i + 1]; sum[2] += d[i + 2]; }
    const n = d.length / 4;
    return [Math.round(sum[0] / n), Math.round(sum[1] / n), Math.round(sum[2] / n)];
  },
  // Level in dB of one frequency in the received audio (from the analyser's spectrum).
  toneDb(hz) {
    if (!analyser) return -200;
    const bins = new Float32Array(analyser.frequencyBinCount);
    analyser.getFloatFrequencyData(bins);
    const bin = Math.round(hz * analyser.fftSize / audioContext.sampleRate);
    // Firefox reports silence as -Infinity, which JSON cannot carry: floor at -200 dB.
    return Math.max(-200, bins[bin - 1], bins[bin], bins[bin + 1]);
  },
  async inboundStats() {
    const result = {};
    if (!pc) return result;
    (await pc.getStats()).forEach(s => {
      if (s.type === 'inbound-rtp') result[s.kind] = { packetsReceived: s.packetsReceived, framesDecoded: s.framesDecoded || 0, bytesReceived: s.bytesReceived, framesPerSecond: s.framesPerSecond || 0, frameWidth: s.frameWidth || 0, packetsLost: s.packetsLost || 0, concealedSamples: s.concealedSamples || 0, totalSamplesReceived: s.totalSamplesReceived || 0 };
    });
    return result;
  },
  // The protocols of the selected candidate pair ({ local: 'udp' | 'tcp', remote, tcpType }), or null.
  async selectedTransport() {
    if (!pc) return null;
    const stats = await pc.getStats();
    let pair = null;
    stats.forEach(s => { if (s.type === 'transport' && s.selectedCandidatePairId) pair = stats.get(s.selectedCandidatePairId); });
    if (!pair) stats.forEach(s => { if (s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded') pair = s; });
    if (!pair) return null;
    const local = stats.get(pair.localCandidateId), remote = stats.get(pair.remoteCandidateId);
    return { local: local ? local.protocol : null, remote: remote ? remote.protocol : null, tcpType: local && local.tcpType ? local.tcpType : null };
  },
  audioPeak() {
    if (!analyser) return null;
    const bins = new Float32Array(analyser.frequencyBinCount);
    analyser.getFloatFrequencyData(bins);
    let best = 0;
    for (let i = 1; i < bins.length; i++) if (bins[i] > bins[best]) best = i;
    return { hz: best * audioContext.sampleRate / analyser.fftSize, db: bins[best] };
  },
};

document.getElementById('start').onclick = () => start().catch(e => setStatus('error: ' + e.message));
document.getElementById('stop').onclick = () => stop();
