// The page's one way to the server: every call goes to the API with the token kept in this tab's sessionStorage
// (taken once from `?token=` and removed from the address bar, or typed in the sign-in form), bounded in time,
// and every failure is an ApiError carrying the API's own message ({"error": ...}) and status.

const KEY = 'leasehold.token';
const TIMEOUT_MS = 10_000;

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

export const token = {
  get: () => sessionStorage.getItem(KEY),
  set: (t) => sessionStorage.setItem(KEY, t),
  clear: () => sessionStorage.removeItem(KEY),
};

/** `?token=` in the address: kept for this tab, then taken out of the address (and so of the history). */
export function takeTokenFromAddress() {
  const url = new URL(window.location.href);
  const t = url.searchParams.get('token');
  if (t === null) return;
  if (t !== '') token.set(t);
  url.searchParams.delete('token');
  window.history.replaceState(null, '', url.pathname + url.search + url.hash);
}

let onUnauthorized = () => {};
/** Called with the message of any 401 (the token is unknown, or none was given). */
export function whenUnauthorized(fn) {
  onUnauthorized = fn;
}

/** `method path` (path from the server's root: '/api/v1/pools', '/metrics'); resolves with the parsed body. */
export async function call(method, path, body) {
  const headers = { accept: 'application/json' };
  const t = token.get();
  if (t !== null) headers.authorization = `Bearer ${t}`;
  const init = { method, headers, cache: 'no-store', credentials: 'omit' };
  if (body !== undefined) {
    headers['content-type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), TIMEOUT_MS);
  init.signal = ctl.signal;
  let res;
  try {
    res = await fetch(path, init);
  } catch (e) {
    const why = e.name === 'AbortError' ? `no answer within ${TIMEOUT_MS / 1000} s` : e.message;
    throw new ApiError(0, `the server cannot be reached (${why})`);
  } finally {
    clearTimeout(timer);
  }
  const text = await res.text();
  let data = text;
  if ((res.headers.get('content-type') ?? '').includes('json') && text !== '') {
    try {
      data = JSON.parse(text);
    } catch {
      // left as text
    }
  }
  if (!res.ok) {
    const message = data !== null && typeof data === 'object' && typeof data.error === 'string' ? data.error : '';
    const err = new ApiError(res.status, message || `HTTP ${res.status} ${res.statusText}`);
    if (res.status === 401) onUnauthorized(err.message);
    throw err;
  }
  return data;
}

export const get = (path) => call('GET', path);

/** A query string from the parameters that have a value. */
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s === '' ? '' : `?${s}`;
}

/**
 * What this page may do: 'admin', 'read', or 'open' (no tokens file: the server serves loopback only, and
 * everything is allowed). The API has no "who am I": a POST /config/test with an empty object is refused before
 * it does anything - 403 for a read token, 400 (or 501) for an admin one - and changes nothing either way.
 */
export async function probeRole() {
  await get('/api/v1/failover'); // a 401 here: the token is not valid (ApiError)
  try {
    await call('POST', '/api/v1/config/test', {});
  } catch (e) {
    if (e instanceof ApiError && e.status === 403) return 'read';
    if (e instanceof ApiError && e.status === 401) throw e;
  }
  return token.get() === null ? 'open' : 'admin';
}
