// Sign-in: OAuth 2.1 authorization code + PKCE (S256) as the public client "console", returning to this page.
// The access token lives in sessionStorage (gone with the tab); signing out revokes it.
const clientId = 'console';
const scope = 'tasks:read tasks:write approvals:decide offline_access';
const keys = { token: 'openmcp.token', pending: 'openmcp.pkce' };

const redirectUri = () => `${location.origin}/`;

function base64Url(bytes) {
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

async function s256(text) {
  return base64Url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))));
}

/** The stored session ({access_token, user, scope, expires_at}) or null. */
export function session() {
  try {
    const stored = JSON.parse(sessionStorage.getItem(keys.token) ?? 'null');
    return stored && stored.expires_at > Date.now() ? stored : null;
  } catch {
    return null;
  }
}

/** Sends the browser to the authorization endpoint; the password is asked for there, never here. */
export async function signIn() {
  const verifier = base64Url(crypto.getRandomValues(new Uint8Array(32)));
  const state = base64Url(crypto.getRandomValues(new Uint8Array(16)));
  sessionStorage.setItem(keys.pending, JSON.stringify({ verifier, state, route: location.hash || '#/tasks' }));
  const query = new URLSearchParams({
    response_type: 'code', client_id: clientId, redirect_uri: redirectUri(), scope, state,
    code_challenge: await s256(verifier), code_challenge_method: 'S256',
    // Always ask for the password: after a sign-out the next person must not inherit the last one's sign-in.
    prompt: 'login',
  });
  location.assign(`/connect/authorize?${query}`);
}

/** A form post to the authorization server (token, revocation), as OAuth has them. */
const postForm = (path, fields) => fetch(path, {
  method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields),
});

function userOf(accessToken) {
  try {
    const payload = JSON.parse(atob(accessToken.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));
    return payload.name ?? payload.sub ?? '';
  } catch {
    return '';
  }
}

/**
 * When the page is the redirect back from the authorization endpoint (?code=…&state=…), exchanges the code for a
 * token and returns the route to show; returns null on an ordinary load. Throws an Error with the server's reason.
 */
export async function completeSignIn() {
  const query = new URLSearchParams(location.search);
  if (!query.has('code') && !query.has('error')) return null;
  const pending = JSON.parse(sessionStorage.getItem(keys.pending) ?? 'null');
  sessionStorage.removeItem(keys.pending);
  history.replaceState(null, '', '/' + (pending?.route ?? '#/tasks'));
  if (query.has('error')) throw new Error(query.get('error_description') || query.get('error'));
  if (!pending || pending.state !== query.get('state')) throw new Error('state mismatch');
  const response = await postForm('/connect/token', {
    grant_type: 'authorization_code', code: query.get('code'), redirect_uri: redirectUri(), client_id: clientId, code_verifier: pending.verifier,
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.error_description || body.message || body.error || `HTTP ${response.status}`);
  sessionStorage.setItem(keys.token, JSON.stringify({
    access_token: body.access_token, refresh_token: body.refresh_token, scope: body.scope, user: userOf(body.access_token),
    expires_at: Date.now() + (body.expires_in ?? 3600) * 1000,
  }));
  return pending.route;
}

/** Forgets the session and revokes its tokens at the server. */
export async function signOut() {
  const current = session();
  sessionStorage.removeItem(keys.token);
  if (!current) return;
  for (const token of [current.refresh_token, current.access_token].filter(Boolean)) {
    await postForm('/connect/revoke', { token, client_id: clientId }).catch(() => {});
  }
}

/** Drops a session the server no longer accepts (revoked, expired). */
export function forget() { sessionStorage.removeItem(keys.token); }
