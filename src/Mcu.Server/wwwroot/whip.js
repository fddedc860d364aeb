// A WHIP/WHEP session (RFC 9725): one RTCPeerConnection, its offer POSTed with a bearer token,
// the answer back with the session's Location; DELETE that Location to leave.
import { httpFailure, networkFailure } from './problems.js';

/** RFC 9725 §4.6: the STUN/TURN servers the server offers as Link headers, for the peer connection. */
async function iceServers(endpoint, token) {
  let response;
  try { response = await fetch(endpoint, { method: 'OPTIONS', headers: { Authorization: 'Bearer ' + token } }); } catch { return []; }
  const links = (response.headers.get('Link') || '').split(/,\s*(?=<)/).filter(l => /rel="ice-server"/.test(l));
  return links.map(link => {
    const server = { urls: link.match(/^<([^>]*)>/)[1] };
    const username = link.match(/username="([^"]*)"/), credential = link.match(/credential="([^"]*)"/);
    if (username) { server.username = username[1]; server.credential = credential ? credential[1] : ''; }
    return server;
  });
}

function gathered(pc) {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise(resolve => {
    pc.addEventListener('icegatheringstatechange', () => { if (pc.iceGatheringState === 'complete') resolve(); });
    setTimeout(resolve, 2000);
  });
}

/**
 * Opens a session at `endpoint` (…/whip or …/whep, with its query). `addMedia(pc)` adds the
 * transceivers; `what` names the attempt for failure sentences (see httpFailure).
 * Resolves to { pc, location, id }; throws a Failure.
 */
export async function openSession(endpoint, token, addMedia, what) {
  const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle', iceServers: await iceServers(endpoint, token) });
  try {
    addMedia(pc);
    await pc.setLocalDescription(await pc.createOffer());
    await gathered(pc);
    const offer = { method: 'POST', headers: { 'Content-Type': 'application/sdp', Authorization: 'Bearer ' + token }, body: pc.localDescription.sdp };
    let response;
    try {
      response = await fetch(endpoint, offer);
      // A node of a cluster sends a room it does not host to the node that does (307, RFC 9725 §4.5). fetch follows
      // with the offer but drops Authorization, as another node is another origin (another port is enough):
      // send the offer again, with the token, straight to where the redirect led.
      if (response.status === 401 && response.redirected) {
        console.info(`WHIP: redirected to ${response.url}, which did not get the token; sending the offer again there`);
        response = await fetch(response.url, offer);
      }
    } catch { throw networkFailure(); }
    if (response.status !== 201) throw await httpFailure(response, what);
    // Relative to where the answer came from (with several nodes it is absolute anyway).
    const resource = new URL(response.headers.get('Location'), response.url).href;
    await pc.setRemoteDescription({ type: 'answer', sdp: await response.text() });
    return { pc, location: resource, id: resource.split('/').pop() };
  } catch (e) {
    pc.close();
    throw e;
  }
}

/** Leaves: DELETE the session's Location (best effort) and close the connection. */
export async function closeSession(session, token) {
  if (!session) return;
  session.pc.close();
  try { await fetch(session.location, { method: 'DELETE', headers: { Authorization: 'Bearer ' + token } }); } catch { /* gone anyway */ }
}
