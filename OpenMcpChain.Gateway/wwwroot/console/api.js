// The public API on this same origin, with the signed-in user's bearer token. Errors carry the API's stable code.
import { session, forget } from './auth.js';

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

let onUnauthorized = () => {};
export function whenUnauthorized(handler) { onUnauthorized = handler; }

function headers(extra = {}) {
  const token = session()?.access_token;
  return token ? { ...extra, Authorization: `Bearer ${token}` } : extra;
}

async function failure(response) {
  const body = await response.json().catch(() => ({}));
  if (response.status === 401) {
    forget();
    onUnauthorized();
  }
  return new ApiError(response.status, body.code ?? `HTTP_${response.status}`, body.message ?? body.detail ?? body.title ?? response.statusText);
}

export async function request(method, path, body, signal) {
  let response;
  try {
    response = await fetch(path, {
      method,
      headers: headers(body === undefined ? { Accept: 'application/json' } : { Accept: 'application/json', 'Content-Type': 'application/json' }),
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
    });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, 'NETWORK', e.message);
  }
  if (!response.ok) throw await failure(response);
  return response.status === 204 ? null : response.json();
}

export const get = (path, signal) => request('GET', path, undefined, signal);
export const post = (path, body) => request('POST', path, body ?? {});

/**
 * Reads server-sent events with fetch, since EventSource cannot send a bearer token. Calls onEvent({event, id, data})
 * for each event until the server ends the stream or signal aborts; resolves with the last event id.
 */
export async function streamEvents(path, onEvent, signal, lastEventId) {
  const response = await fetch(path, {
    headers: headers({ Accept: 'text/event-stream', ...(lastEventId ? { 'Last-Event-ID': lastEventId } : {}) }),
    signal,
  });
  if (!response.ok) throw await failure(response);
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  let last = lastEventId;
  let event = { event: 'message', id: undefined, data: [] };
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    let newline;
    while ((newline = buffer.search(/\r?\n/)) >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + (buffer[newline] === '\r' ? 2 : 1));
      if (line === '') {
        if (event.data.length > 0) {
          if (event.id) last = event.id;
          onEvent({ event: event.event, id: event.id, data: event.data.join('\n') });
        }
        event = { event: 'message', id: undefined, data: [] };
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      let text = colon < 0 ? '' : line.slice(colon + 1);
      if (text.startsWith(' ')) text = text.slice(1);
      if (field === 'event') event.event = text;
      else if (field === 'id') event.id = text;
      else if (field === 'data') event.data.push(text);
    }
  }
  return last;
}

const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));

/**
 * Keeps following path's events until signal aborts or done() holds: onChange runs once per burst of events (100 ms,
 * so a flurry of steps costs one fetch) and after each end of the stream; a lost stream is resumed from its last event
 * id, a little later after each failure (up to 5 s). onLive(true | false) says whether the stream is being followed.
 * Rejects with what onChange throws after a stream ends (e.g. the task is gone).
 */
export async function followEvents(path, { signal, onChange, onLive = () => {}, accept = () => true, done = () => false }) {
  let last;
  for (let attempt = 1; !signal.aborted && !done(); attempt++) {
    let pending = null;
    try {
      onLive(true);
      last = await streamEvents(path, event => {
        if (accept(event)) pending ??= setTimeout(() => { pending = null; Promise.resolve(onChange()).catch(() => {}); }, 100);
      }, signal, last);
    } catch (e) {
      if (signal.aborted) return;
      onLive(false);
    }
    if (signal.aborted) return;
    await onChange();
    if (!done()) await sleep(Math.min(5000, 500 * attempt));
  }
}
