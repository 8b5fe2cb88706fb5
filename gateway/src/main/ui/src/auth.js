// Signing in at Keycloak from the browser: OpenID Connect's authorization code flow with PKCE (S256)
// through the realm's public client (berth-web by default; /ui/config.json names it). No secret
// lives in the browser: the code is bound to a verifier only this tab knows. Tokens are kept in
// sessionStorage (this tab only, gone when it closes), refreshed before the access token expires, and
// dropped on sign-out, which also ends the Keycloak session.

const KEY = 'berth.tokens';
const PENDING = 'berth.pending-sign-in';
// Refresh this long before the access token expires, so a request never leaves with a stale one.
const EARLY_MS = 30_000;

function base64url(bytes) {
  let text = '';
  for (const b of new Uint8Array(bytes)) text += String.fromCharCode(b);
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function randomText(size) {
  return base64url(crypto.getRandomValues(new Uint8Array(size)));
}

async function challengeOf(verifier) {
  return base64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
}

function redirectUri() {
  return `${location.origin}/ui/`;
}

export class SignInError extends Error {}

/** A signed-in browser tab: the current access token, kept fresh, and the way out. */
export class Session {
  constructor(endpoints, clientId, tokens) {
    this.endpoints = endpoints;
    this.clientId = clientId;
    this.tokens = tokens;
    this.listeners = new Set();
    this.schedule();
  }

  /** The access token to send now; refreshed first if it is about to expire. */
  async token() {
    if (Date.now() >= this.tokens.expiresAt - EARLY_MS) {
      await this.refresh();
    }
    return this.tokens.accessToken;
  }

  schedule() {
    clearTimeout(this.timer);
    const wait = Math.max(1_000, this.tokens.expiresAt - EARLY_MS - Date.now());
    this.timer = setTimeout(() => this.refresh().catch(() => {}), wait);
  }

  async refresh() {
    if (!this.refreshing) {
      this.refreshing = (async () => {
        try {
          const answer = await postForm(this.endpoints.token_endpoint, {
            grant_type: 'refresh_token',
            refresh_token: this.tokens.refreshToken,
            client_id: this.clientId,
          });
          this.tokens = store(answer, this.tokens.idToken);
          this.schedule();
          this.listeners.forEach(listener => listener());
        } catch (e) {
          // The Keycloak session ended (signed out elsewhere, or idle too long): sign in again.
          sessionStorage.removeItem(KEY);
          await redirectToSignIn(this.endpoints, this.clientId);
        } finally {
          this.refreshing = null;
        }
      })();
    }
    return this.refreshing;
  }

  onRefresh(listener) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Forgets the tokens and ends the Keycloak session, which sends the browser back to the UI. */
  signOut() {
    clearTimeout(this.timer);
    sessionStorage.removeItem(KEY);
    const url = new URL(this.endpoints.end_session_endpoint);
    url.searchParams.set('client_id', this.clientId);
    url.searchParams.set('post_logout_redirect_uri', redirectUri());
    if (this.tokens.idToken) url.searchParams.set('id_token_hint', this.tokens.idToken);
    location.assign(url.toString());
  }
}

/** A gateway that asks for no token (authentication off): requests go out as they are. */
export class OpenSession {
  async token() {
    return null;
  }

  onRefresh() {
    return () => {};
  }

  signOut() {}
}

async function postForm(url, fields) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields),
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    throw new SignInError(body.error_description || body.error || `Keycloak answered ${response.status}`);
  }
  return body;
}

function store(answer, previousIdToken) {
  const tokens = {
    accessToken: answer.access_token,
    refreshToken: answer.refresh_token,
    idToken: answer.id_token || previousIdToken,
    expiresAt: Date.now() + answer.expires_in * 1000,
  };
  sessionStorage.setItem(KEY, JSON.stringify(tokens));
  return tokens;
}

async function discover(issuer) {
  const response = await fetch(`${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`);
  if (!response.ok) {
    throw new SignInError(`cannot read the sign-in settings of ${issuer} (${response.status})`);
  }
  return response.json();
}

async function redirectToSignIn(endpoints, clientId) {
  const verifier = randomText(48);
  const state = randomText(16);
  sessionStorage.setItem(PENDING, JSON.stringify({ verifier, state, hash: location.hash }));
  const url = new URL(endpoints.authorization_endpoint);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: redirectUri(),
    scope: 'openid',
    state,
    code_challenge: await challengeOf(verifier),
    code_challenge_method: 'S256',
  }).toString();
  location.assign(url.toString());
  // The page is leaving: nothing after this runs.
  return new Promise(() => {});
}

/**
 * The tab's session: tokens it already has, or the ones Keycloak's redirect back brought (a code to
 * exchange), or else a trip to Keycloak's sign-in page (the promise then never settles: the page leaves).
 */
export async function signIn(config) {
  if (!config.auth) return new OpenSession();
  const endpoints = await discover(config.issuer);
  const params = new URLSearchParams(location.search);
  if (params.has('code') || params.has('error')) {
    const pending = JSON.parse(sessionStorage.getItem(PENDING) || 'null');
    sessionStorage.removeItem(PENDING);
    history.replaceState(null, '', `/ui/${pending?.hash || ''}`);
    if (params.has('error')) {
      throw new SignInError(params.get('error_description') || params.get('error'));
    }
    if (!pending || pending.state !== params.get('state')) {
      // Not the answer to this tab's request (an old or forged link): start over.
      return redirectToSignIn(endpoints, config.clientId);
    }
    const answer = await postForm(endpoints.token_endpoint, {
      grant_type: 'authorization_code',
      code: params.get('code'),
      redirect_uri: redirectUri(),
      client_id: config.clientId,
      code_verifier: pending.verifier,
    });
    return new Session(endpoints, config.clientId, store(answer));
  }
  const kept = JSON.parse(sessionStorage.getItem(KEY) || 'null');
  if (kept) {
    const session = new Session(endpoints, config.clientId, kept);
    if (Date.now() >= kept.expiresAt - EARLY_MS) await session.refresh();
    return session;
  }
  return redirectToSignIn(endpoints, config.clientId);
}
