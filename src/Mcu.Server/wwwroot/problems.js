// What went wrong, in a sentence a person can act on. The server answers with RFC 9457 problem
// documents (status, title, detail); the browser's media errors have names (NotAllowedError, …).

/** A failure with the sentence to show. */
export class Failure extends Error {}

/** The claims of a room token (room, role, exp), read without checking the signature; null if unreadable. */
export function readToken(token) {
  try {
    const payload = token.split('.')[0].replace(/-/g, '+').replace(/_/g, '/');
    const bytes = Uint8Array.from(atob(payload), c => c.charCodeAt(0));
    const claims = JSON.parse(new TextDecoder().decode(bytes));
    return typeof claims.room === 'string' && typeof claims.exp === 'number' ? claims : null;
  } catch {
    return null;
  }
}

/** Why an invite link cannot work, before asking the server; null when it may. */
export function inviteProblem(claims) {
  if (!claims) return 'This invite link is not valid: it may have been cut short when it was copied. Ask for a new one.';
  if (claims.exp * 1000 <= Date.now()) {
    return `This invite link expired on ${new Date(claims.exp * 1000).toLocaleString()}. Ask for a new one.`;
  }
  return null;
}

/** A failed fetch (the network, not an answer). */
export function networkFailure() {
  return new Failure('Cannot reach the server. Check your network connection and try again.');
}

/**
 * The sentence for an HTTP answer that is not a success. `what` says what was tried: 'join',
 * 'watch', 'screen' (with a room token), 'read' (the room with a room token) or 'admin' (with the admin key).
 */
export async function httpFailure(response, what) {
  const failure = await explain(response, what);
  failure.status = response.status;
  return failure;
}

async function explain(response, what) {
  let problem = {};
  try { problem = await response.json(); } catch { /* not a problem document */ }
  const detail = (problem.detail || '').replace(/\.$/, '');
  const status = response.status;
  const withKey = what === 'admin';
  switch (status) {
    case 400: return new Failure(`The server refused this: ${detail || problem.title || 'bad request'}.`);
    case 401:
      if (withKey) return new Failure('The admin key is wrong.');
      if (/ended|deleted/.test(detail)) return new Failure('This invite link is for a room that has ended. Ask for a new one.');
      return new Failure('This invite link is not valid any more (it expired or was changed). Ask for a new one.');
    case 403:
      if (withKey) return new Failure('That needs the admin key.');
      if (/viewing/.test(detail)) return new Failure('This link lets you watch only; ask for a participant link to take part.');
      if (/another room/.test(detail)) return new Failure('This invite link is for another room.');
      return new Failure(`That is not allowed: ${detail}.`);
    case 404: return new Failure(what === 'read' ? 'Nobody is in this room yet.' : `Not found: ${detail}.`);
    case 406: return new Failure(`Your browser cannot send or receive a format this room uses (${detail}). Try another browser.`);
    case 409:
      if (problem.title === 'Room full') {
        return new Failure(what === 'screen'
          ? 'No more screens can be shared in this room right now. Try again when someone stops sharing.'
          : 'This room is full. Try again when someone leaves.');
      }
      return new Failure(`${problem.title || 'Conflict'}: ${detail}.`);
    case 429: return new Failure('Too many connections with this link: close this page in your other tabs, or ask for a link of your own.');
    case 503: return new Failure(`The server is at its limit right now (${detail}). Try again later.`);
    default: return new Failure(`The server failed (${status}${detail ? ': ' + detail : ''}). Try again.`);
  }
}

/** The sentence for getUserMedia or getDisplayMedia failing. */
export function mediaFailure(error, screen = false) {
  switch (error.name) {
    case 'NotAllowedError':
      return new Failure(screen
        ? 'Screen sharing was cancelled or refused.'
        : 'The camera and microphone were refused. Allow them for this site (the icon in the address bar) and try again.');
    case 'NotFoundError': return new Failure(screen ? 'There is no screen to share.' : 'No camera or microphone was found.');
    case 'NotReadableError': return new Failure('The camera or microphone is in use by another program, or could not start.');
    case 'OverconstrainedError': return new Failure('That camera or microphone is not available any more.');
    default: return new Failure(`Could not start ${screen ? 'screen sharing' : 'the camera or microphone'}: ${error.message}`);
  }
}

export const connectionFailed = 'The media connection failed: your network may block the server\'s UDP port. Try another network, or ask the server\'s operator.';

/** The sentence for anything thrown. */
export function sentence(error) {
  if (error instanceof Failure) return error.message;
  if (error instanceof TypeError && /fetch/i.test(error.message)) return networkFailure().message;
  return 'Something went wrong: ' + error.message;
}
