// The HLS watch page: /watch.html#room=NAME&token=ROOM_TOKEN (a viewer or participant token, in the
// fragment so it never reaches the server's logs). The token is traded for an HttpOnly cookie on the
// room's HLS path, as a <video> cannot send a header; then the playlist plays natively where the
// browser can, else through hls.js, which the server's build vendors from npm (never a CDN).
import { Failure, readToken, inviteProblem, networkFailure, httpFailure, sentence } from './problems.js';

const $ = id => document.getElementById(id);
const enc = encodeURIComponent;
const HlsType = 'application/vnd.apple.mpegurl';

function say(text) {
  $('message').textContent = text;
  $('message').hidden = !text;
}

async function start() {
  const params = new URLSearchParams(location.hash.slice(1));
  const room = params.get('room'), token = params.get('token');
  if (!room || !token) throw new Failure('This watch link is not complete: it needs the room and a token. Ask for a new one.');
  const problem = inviteProblem(readToken(token));
  if (problem) throw new Failure(problem);
  $('roomTitle').textContent = room;
  const base = `/api/rooms/${enc(room)}/hls`;
  let response;
  try {
    response = await fetch(`${base}/session`, { method: 'POST', headers: { Authorization: 'Bearer ' + token } });
  } catch { throw networkFailure(); }
  if (!response.ok) throw await httpFailure(response, 'watch');
  const video = $('live');
  const playlist = `${base}/index.m3u8`;
  // Not started yet (or its first segment not written): say so and look again.
  for (;;) {
    try {
      response = await fetch(playlist, { cache: 'no-store' });
    } catch { throw networkFailure(); }
    if (response.ok) break;
    if (response.status !== 404) throw await httpFailure(response, 'watch');
    $('status').textContent = 'waiting for the stream';
    await new Promise(resolve => setTimeout(resolve, 2000));
  }
  video.addEventListener('playing', () => { $('status').textContent = 'live'; });
  if (video.canPlayType(HlsType)) {
    // Native first. A browser may claim HLS and still fail on a live fMP4 playlist (Debian's Chromium
    // 156 does: DEMUXER_ERROR_COULD_NOT_PARSE): then hls.js takes over.
    video.dataset.player = 'native';
    video.addEventListener('error', () => {
      if (video.dataset.player === 'native') playWithHlsJs(video, playlist).catch(e => say(sentence(e)));
      else say('The live stream stopped. Reload to try again.');
    });
    video.src = playlist;
  } else {
    video.addEventListener('error', () => say('The live stream stopped. Reload to try again.'));
    await playWithHlsJs(video, playlist);
  }
  await video.play().catch(() => { $('status').textContent = 'press play'; });
}

async function playWithHlsJs(video, playlist) {
  const Hls = await loadHlsJs();
  if (!Hls?.isSupported()) throw new Failure('This browser cannot play the live stream (HLS). Try another browser, or join the room as a viewer.');
  video.dataset.player = 'hls.js';
  video.removeAttribute('src');
  const hls = new Hls({ xhrSetup: xhr => { xhr.withCredentials = true; } });
  hls.on(Hls.Events.ERROR, (_, data) => { if (data.fatal) say('The live stream stopped: ' + data.details + '. Reload to try again.'); });
  hls.loadSource(playlist);
  hls.attachMedia(video);
  await video.play().catch(() => { $('status').textContent = 'press play'; });
}

// hls.js is a classic script that sets window.Hls; absent when the server was built without npm.
function loadHlsJs() {
  return new Promise(resolve => {
    const script = Object.assign(document.createElement('script'), { src: 'vendor/hls.min.js' });
    script.onload = () => resolve(window.Hls);
    script.onerror = () => resolve(null);
    document.head.append(script);
  });
}

start().catch(e => {
  $('status').textContent = 'not playing';
  say(sentence(e));
});
