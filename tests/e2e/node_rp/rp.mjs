// Independent relying party for NIXA end-to-end tests.
//
// Uses panva's OpenID-certified `openid-client` (v6) so that our IdP is exercised by a
// client we did not write. Started by tests/e2e/node_rp.py; see that file for usage.
//
// Environment:
//   ISSUER             issuer identifier of the OP (discovery is performed against it)
//   CLIENT_ID          registered client_id
//   CLIENT_SECRET      client secret, sent with client_secret_basic
//   PORT               port to listen on (127.0.0.1); redirect_uri is http://127.0.0.1:PORT/callback
//   SCOPE              default "openid profile email offline_access"
//   EXTRA_AUTH_PARAMS  optional JSON object merged into every authorization request
//   REQUIRE_ISS        "1" (default) requires the RFC 9207 `iss` authorization response parameter
//
// Routes: GET /login, /callback, /logout, /logged-out, /health. Query parameters given to
// /login are also merged into the authorization request (e.g. /login?prompt=login&max_age=0).
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import * as client from 'openid-client';

const ISSUER = requiredEnv('ISSUER');
const CLIENT_ID = requiredEnv('CLIENT_ID');
const CLIENT_SECRET = requiredEnv('CLIENT_SECRET');
const PORT = Number.parseInt(requiredEnv('PORT'), 10);
const SCOPE = process.env.SCOPE || 'openid profile email offline_access';
const REQUIRE_ISS = (process.env.REQUIRE_ISS ?? '1') !== '0';
const EXTRA_AUTH_PARAMS = parseExtraParams(process.env.EXTRA_AUTH_PARAMS);

const BASE_URL = `http://127.0.0.1:${PORT}`;
const REDIRECT_URI = `${BASE_URL}/callback`;
const POST_LOGOUT_REDIRECT_URI = `${BASE_URL}/logged-out`;
// Distinct name: cookies are not isolated by port, so the IdP on 127.0.0.1 sees this cookie too.
const COOKIE = 'nixa_e2e_rp_sid';

/** @type {Map<string, {pending?: {codeVerifier: string, state: string, nonce: string, maxAge?: number}, idToken?: string, claims?: object, logoutState?: string}>} */
const sessions = new Map();

function requiredEnv(name) {
  const value = process.env[name];
  if (!value) {
    process.stderr.write(`rp.mjs: missing required environment variable ${name}\n`);
    process.exit(2);
  }
  return value;
}

function parseExtraParams(raw) {
  if (!raw) return {};
  const parsed = JSON.parse(raw);
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new TypeError('EXTRA_AUTH_PARAMS must be a JSON object');
  }
  return Object.fromEntries(
    Object.entries(parsed).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
  );
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function discover() {
  const deadline = Date.now() + 10_000;
  let lastError;
  while (Date.now() < deadline) {
    try {
      return await client.discovery(
        new URL(ISSUER),
        CLIENT_ID,
        { redirect_uris: [REDIRECT_URI], response_types: ['code'] },
        client.ClientSecretBasic(CLIENT_SECRET),
        { execute: [client.allowInsecureRequests], timeout: 5 },
      );
    } catch (err) {
      lastError = err;
      await sleep(250);
    }
  }
  throw lastError ?? new Error('discovery timed out');
}

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function send(res, status, body, headers = {}) {
  res.writeHead(status, { 'cache-control': 'no-store', ...headers });
  res.end(body);
}

function page(res, status, title, inner) {
  const html = `<!doctype html>\n<html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>`
    + `<body><h1>${escapeHtml(title)}</h1>\n${inner}\n</body></html>\n`;
  send(res, status, html, { 'content-type': 'text/html; charset=utf-8' });
}

function redirect(res, location, headers = {}) {
  send(res, 302, '', { location: String(location), ...headers });
}

function getSession(req, res) {
  const cookies = Object.fromEntries(
    (req.headers.cookie || '')
      .split(';')
      .map((c) => c.trim().split('='))
      .filter((kv) => kv.length >= 2)
      .map(([k, ...v]) => [k, v.join('=')]),
  );
  let sid = cookies[COOKIE];
  if (!sid || !sessions.has(sid)) {
    sid = randomBytes(16).toString('hex');
    sessions.set(sid, {});
    res.setHeader('set-cookie', `${COOKIE}=${sid}; Path=/; HttpOnly; SameSite=Lax`);
  }
  return sessions.get(sid);
}

function errorJson(err) {
  // ResponseBodyError / AuthorizationResponseError carry error + error_description directly;
  // WWWAuthenticateChallengeError (e.g. 401 from the token or userinfo endpoint) in its challenges.
  const challenge = Array.isArray(err?.cause) ? err.cause[0]?.parameters : undefined;
  return {
    name: err?.name ?? 'Error',
    message: err?.message ?? String(err),
    code: err?.code ?? null,
    error: err?.error ?? challenge?.error ?? null,
    error_description: err?.error_description ?? challenge?.error_description ?? null,
    status: err?.status ?? null,
  };
}

function sameAudience(a, b) {
  const norm = (x) => JSON.stringify([].concat(x ?? []).sort());
  return norm(a) === norm(b);
}

async function handleLogin(config, req, res, url) {
  const session = getSession(req, res);
  const codeVerifier = client.randomPKCECodeVerifier();
  const codeChallenge = await client.calculatePKCECodeChallenge(codeVerifier);
  const state = client.randomState();
  const nonce = client.randomNonce();
  const params = {
    redirect_uri: REDIRECT_URI,
    response_type: 'code',
    scope: SCOPE,
    code_challenge: codeChallenge,
    code_challenge_method: 'S256',
    state,
    nonce,
    ...EXTRA_AUTH_PARAMS,
    ...Object.fromEntries(url.searchParams),
  };
  const maxAge = params.max_age !== undefined ? Number.parseInt(params.max_age, 10) : undefined;
  session.pending = { codeVerifier, state, nonce, maxAge: Number.isNaN(maxAge) ? undefined : maxAge };
  redirect(res, client.buildAuthorizationUrl(config, params));
}

async function handleCallback(config, req, res, url) {
  const session = getSession(req, res);
  const pending = session.pending;
  if (!pending) {
    throw Object.assign(new Error('no pending authorization request for this browser (visit /login first)'), {
      name: 'NoPendingLogin',
    });
  }
  delete session.pending; // one-shot, like a real RP
  if (REQUIRE_ISS && !url.searchParams.has('iss')) {
    throw Object.assign(new Error('authorization response lacks the RFC 9207 "iss" parameter'), {
      name: 'MissingIssParameter',
    });
  }
  const tokens = await client.authorizationCodeGrant(config, url, {
    pkceCodeVerifier: pending.codeVerifier,
    expectedState: pending.state,
    expectedNonce: pending.nonce,
    idTokenExpected: true,
    maxAge: pending.maxAge,
  });
  const claims = tokens.claims();
  session.idToken = tokens.id_token;
  session.claims = claims;

  const userinfo = await client.fetchUserInfo(config, tokens.access_token, claims.sub);

  const refresh = { attempted: false, ok: false, new_id_token_claims: null, error: null };
  if (tokens.refresh_token) {
    refresh.attempted = true;
    try {
      const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token);
      const newClaims = refreshed.claims() ?? null;
      // OIDC Core 12.2: a refreshed ID Token keeps iss, sub and aud (openid-client leaves this to us).
      if (newClaims) {
        for (const [key, same] of [
          ['iss', newClaims.iss === claims.iss],
          ['sub', newClaims.sub === claims.sub],
          ['aud', sameAudience(newClaims.aud, claims.aud)],
        ]) {
          if (!same) throw new Error(`refreshed ID Token "${key}" differs from the original`);
        }
        session.idToken = refreshed.id_token;
      }
      if (typeof refreshed.access_token !== 'string' || !refreshed.access_token) {
        throw new Error('refresh response has no access_token');
      }
      refresh.ok = true;
      refresh.new_id_token_claims = newClaims;
      refresh.refresh_token_rotated = Boolean(refreshed.refresh_token && refreshed.refresh_token !== tokens.refresh_token);
    } catch (err) {
      refresh.error = errorJson(err);
    }
  }

  const result = {
    id_token_claims: claims,
    userinfo,
    access_token_present: typeof tokens.access_token === 'string' && tokens.access_token.length > 0,
    token_type: tokens.token_type ?? null,
    scope: tokens.scope ?? null,
    expires_in: tokens.expires_in ?? null,
    refresh_token_present: Boolean(tokens.refresh_token),
    refresh,
  };
  page(res, 200, 'RP callback', `<pre id="result">${escapeHtml(JSON.stringify(result, null, 2))}</pre>`);
}

function handleLogout(config, req, res) {
  const session = getSession(req, res);
  const state = client.randomState();
  session.logoutState = state;
  const params = { post_logout_redirect_uri: POST_LOGOUT_REDIRECT_URI, state };
  if (session.idToken) params.id_token_hint = session.idToken;
  redirect(res, client.buildEndSessionUrl(config, params));
}

function handleLoggedOut(req, res, url) {
  const session = getSession(req, res);
  const state = url.searchParams.get('state');
  const ok = state !== null && state === session.logoutState;
  delete session.logoutState;
  delete session.idToken;
  delete session.claims;
  page(
    res,
    200,
    'RP logged out',
    `<p id="logged-out" data-state="${escapeHtml(state ?? '')}" data-state-ok="${ok}">`
      + `Logged out. state=${escapeHtml(state ?? '')} state_ok=${ok}</p>`,
  );
}

async function main() {
  let config;
  try {
    config = await discover();
  } catch (err) {
    process.stderr.write(`rp.mjs: discovery of ${ISSUER} failed: ${JSON.stringify(errorJson(err))}\n`);
    process.exit(1);
  }
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', BASE_URL);
    try {
      if (req.method !== 'GET') {
        send(res, 405, 'method not allowed\n', { 'content-type': 'text/plain' });
      } else if (url.pathname === '/health') {
        send(res, 200, 'ok', { 'content-type': 'text/plain' });
      } else if (url.pathname === '/login') {
        await handleLogin(config, req, res, url);
      } else if (url.pathname === '/callback') {
        await handleCallback(config, req, res, url);
      } else if (url.pathname === '/logout') {
        handleLogout(config, req, res);
      } else if (url.pathname === '/logged-out') {
        handleLoggedOut(req, res, url);
      } else {
        send(res, 404, 'not found\n', { 'content-type': 'text/plain' });
      }
    } catch (err) {
      const body = errorJson(err);
      process.stderr.write(`rp.mjs: ${req.method} ${url.pathname} failed: ${JSON.stringify(body)}\n`);
      if (!res.headersSent) {
        page(res, 500, 'RP error', `<pre id="error">${escapeHtml(JSON.stringify(body, null, 2))}</pre>`);
      } else {
        res.end();
      }
    }
  });
  server.listen(PORT, '127.0.0.1', () => {
    process.stdout.write('listening\n');
  });
  const stop = () => {
    server.closeAllConnections?.();
    server.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 1000).unref();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main();
