// The JSON API client. Writes carry the session's CSRF token; the cookie
// is HttpOnly, so this script never sees it.

let info = null;

export class ApiError extends Error {
  constructor(message, status) { super(message); this.status = status; }
}

export async function session() {
  if (!info) info = await get('/api/v1/session');
  return info;
}

function url(path, params) {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v !== undefined && v !== null && v !== '') qs.set(k, v);
  }
  const q = qs.toString();
  return q ? path + '?' + q : path;
}

async function send(path, init) {
  const res = await fetch(path, Object.assign({credentials: 'same-origin'}, init));
  if (res.status === 401) {
    location.assign('/login');
    throw new ApiError('not logged in', 401);
  }
  let body = null;
  try { body = await res.json(); } catch (e) { body = null; }
  if (!res.ok) throw new ApiError((body && body.error) || res.statusText, res.status);
  return body;
}

export function get(path, params) {
  return send(url(path, params), {headers: {Accept: 'application/json'}});
}

export async function post(path, body, params) {
  const s = await session();
  return send(url(path, params), {
    method: 'POST',
    headers: {'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRF-Token': s.csrf_token},
    body: JSON.stringify(body || {}),
  });
}
