// node oidc-provider configured like NIXA for python -m bench: ES256 signing, the same lifetimes,
// authorization code with PKCE S256, refresh token rotation, client_credentials, introspection, userinfo,
// citizens checked with argon2id at the same parameters, consent already given (loadExistingGrant).
// Its state (sessions, interactions, codes, tokens, grants) lives where NIXA's does: in a SQLite file in
// WAL mode with synchronous=FULL, each write its own durable transaction (SqliteAdapter below, through
// better-sqlite3). PEER_STORE=memory keeps it in a Map instead (MapAdapter, without the eviction of
// oidc-provider's development LRU adapter, which loses tokens under load): no durable writes at all.
import http from 'node:http';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import argon2 from 'argon2';
import Database from 'better-sqlite3';
import Provider from 'oidc-provider';

const port = Number(process.env.PORT);
const issuer = `http://127.0.0.1:${port}`;
const people = Number(process.env.PEOPLE || '200');
const password = process.env.BENCH_PASSWORD;
const secret = process.env.BENCH_CLIENT_SECRET;
const redirect = process.env.BENCH_REDIRECT_URI;
const memoryCost = Number(process.env.ARGON2_MEMORY_KIB || '7168');
const timeCost = Number(process.env.ARGON2_TIME_COST || '5');

const store = new Map();
const grants = new Map();
const uids = new Map();
class MapAdapter {
  constructor(model) { this.model = model; }
  key(id) { return `${this.model}:${id}`; }
  async upsert(id, payload, expiresIn) {
    const expiresAt = expiresIn ? Date.now() + expiresIn * 1000 : Infinity;
    store.set(this.key(id), { payload, expiresAt });
    if (payload.uid) uids.set(`${this.model}:${payload.uid}`, id);
    if (payload.grantId) {
      const list = grants.get(payload.grantId) || [];
      list.push(this.key(id));
      grants.set(payload.grantId, list);
    }
  }
  async find(id) {
    const entry = store.get(this.key(id));
    if (!entry) return undefined;
    if (entry.expiresAt <= Date.now()) { store.delete(this.key(id)); return undefined; }
    return entry.payload;
  }
  async findByUid(uid) {
    const id = uids.get(`${this.model}:${uid}`);
    return id === undefined ? undefined : this.find(id);
  }
  async findByUserCode() { return undefined; }
  async consume(id) {
    const entry = store.get(this.key(id));
    if (entry) entry.payload.consumed = Math.floor(Date.now() / 1000);
  }
  async destroy(id) { store.delete(this.key(id)); }
  async revokeByGrantId(grantId) {
    for (const k of grants.get(grantId) || []) store.delete(k);
    grants.delete(grantId);
  }
}

// oidc-provider's adapter interface over one table. find() hides expired rows, as the memory adapter's
// maxAge does; consume() marks a code or refresh token spent, which oidc-provider checks on its next find.
class SqliteAdapter {
  static db;

  static open(path) {
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    // better-sqlite3 is built with WAL's synchronous=NORMAL by default; NIXA's SQLite syncs every commit.
    db.pragma('synchronous = FULL');
    db.exec(`CREATE TABLE IF NOT EXISTS oidc (
      model TEXT NOT NULL, id TEXT NOT NULL, payload TEXT NOT NULL, grant_id TEXT, uid TEXT, user_code TEXT,
      expires_at INTEGER, consumed_at INTEGER, PRIMARY KEY (model, id))`);
    db.exec('CREATE INDEX IF NOT EXISTS oidc_grant ON oidc (grant_id)');
    db.exec('CREATE INDEX IF NOT EXISTS oidc_uid ON oidc (model, uid)');
    SqliteAdapter.db = db;
    SqliteAdapter.sql = {
      upsert: db.prepare(`INSERT INTO oidc (model, id, payload, grant_id, uid, user_code, expires_at)
        VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (model, id) DO UPDATE SET payload = excluded.payload,
        grant_id = excluded.grant_id, uid = excluded.uid, user_code = excluded.user_code,
        expires_at = excluded.expires_at`),
      find: db.prepare('SELECT payload, expires_at, consumed_at FROM oidc WHERE model = ? AND id = ?'),
      findByUid: db.prepare('SELECT payload, expires_at, consumed_at FROM oidc WHERE model = ? AND uid = ?'),
      findByUserCode: db.prepare('SELECT payload, expires_at, consumed_at FROM oidc WHERE model = ? AND user_code = ?'),
      consume: db.prepare('UPDATE oidc SET consumed_at = ? WHERE model = ? AND id = ?'),
      destroy: db.prepare('DELETE FROM oidc WHERE model = ? AND id = ?'),
      revoke: db.prepare('DELETE FROM oidc WHERE grant_id = ?'),
    };
  }

  constructor(model) { this.model = model; }

  static row(row) {
    if (!row || (row.expires_at !== null && row.expires_at <= Date.now())) return undefined;
    const payload = JSON.parse(row.payload);
    if (row.consumed_at !== null) payload.consumed = row.consumed_at;
    return payload;
  }

  async upsert(id, payload, expiresIn) {
    const expiresAt = expiresIn ? Date.now() + expiresIn * 1000 : null;
    SqliteAdapter.sql.upsert.run(this.model, id, JSON.stringify(payload), payload.grantId ?? null,
      payload.uid ?? null, payload.userCode ?? null, expiresAt);
  }

  async find(id) { return SqliteAdapter.row(SqliteAdapter.sql.find.get(this.model, id)); }

  async findByUid(uid) { return SqliteAdapter.row(SqliteAdapter.sql.findByUid.get(this.model, uid)); }

  async findByUserCode(code) { return SqliteAdapter.row(SqliteAdapter.sql.findByUserCode.get(this.model, code)); }

  async consume(id) { SqliteAdapter.sql.consume.run(Math.floor(Date.now() / 1000), this.model, id); }

  async destroy(id) { SqliteAdapter.sql.destroy.run(this.model, id); }

  async revokeByGrantId(grantId) { SqliteAdapter.sql.revoke.run(grantId); }
}

const store_kind = process.env.PEER_STORE || 'sqlite';
if (store_kind === 'sqlite') SqliteAdapter.open(process.env.PEER_DATABASE || 'peer.sqlite3');

const personalId = (n) => `0010${String(40 + Math.floor(n / 1e6)).padStart(2, '0')}${String(n % 1e6).padStart(6, '0')}`;
const hash = await argon2.hash(password, { type: argon2.argon2id, memoryCost, timeCost, parallelism: 1 });
const accounts = new Map();
for (let n = 0; n < people; n += 1) accounts.set(personalId(n), { id: randomUUID(), hash, name: 'Nguyễn Văn An' });
const byId = new Map([...accounts.values()].map((a) => [a.id, a]));

const jwk = { ...generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' }), kid: 'es256-bench', alg: 'ES256', use: 'sig' };
const scopes = 'openid profile offline_access';

const provider = new Provider(issuer, {
  adapter: store_kind === 'sqlite' ? SqliteAdapter : MapAdapter,
  clients: [{
    client_id: 'bench-portal',
    client_secret: secret,
    redirect_uris: [redirect],
    grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
    id_token_signed_response_alg: 'ES256',
    scope: scopes,
  }],
  jwks: { keys: [jwk] },
  cookies: { keys: [process.env.BENCH_COOKIE_KEY || randomUUID()] },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    introspection: { enabled: true },
    revocation: { enabled: true },
  },
  pkce: { required: () => true },
  rotateRefreshToken: true,
  // NIXA issues a refresh token when the person consented to offline_access; here consent is given.
  issueRefreshToken: async (ctx, client) => client.grantTypeAllowed('refresh_token'),
  ttl: {
    AccessToken: 600, AuthorizationCode: 60, ClientCredentials: 600, IdToken: 600,
    RefreshToken: 30 * 24 * 3600, Interaction: 900, Session: 12 * 3600, Grant: 30 * 24 * 3600,
  },
  claims: { openid: ['sub'], profile: ['name', 'family_name', 'given_name', 'updated_at'] },
  scopes: ['openid', 'offline_access', 'profile'],
  findAccount: async (ctx, id) => {
    const account = byId.get(id);
    if (!account) return undefined;
    return { accountId: id, claims: async () => ({ sub: id, name: account.name, family_name: 'Nguyễn', given_name: 'An' }) };
  },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  loadExistingGrant: async (ctx) => {
    // Consent given before: every login at the benchmark portal goes straight to the code.
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope(scopes);
    await grant.save();
    return grant;
  },
});
provider.proxy = false;

const page = (uid) => `<!doctype html><html lang="vi"><body><form method="post" action="/interaction/${uid}/login">
<label>Số định danh <input name="username"></label><label>Mật khẩu <input type="password" name="password"></label>
<button type="submit">Đăng nhập</button></form></body></html>`;

async function body(req) {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  return new URLSearchParams(Buffer.concat(chunks).toString());
}

async function interaction(req, res) {
  const details = await provider.interactionDetails(req, res);
  if (process.env.BENCH_DEBUG) console.error(JSON.stringify(details.prompt));
  if (req.method === 'GET') {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(page(details.uid));
    return;
  }
  const form = await body(req);
  const account = accounts.get(form.get('username') || '');
  const ok = await argon2.verify(account ? account.hash : hash, form.get('password') || '');
  if (!account || !ok) {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(page(details.uid));
    return;
  }
  await provider.interactionFinished(req, res, { login: { accountId: account.id } }, { mergeWithLastSubmission: false });
}

const callback = provider.callback();
http.createServer((req, res) => {
  if (req.url.startsWith('/interaction/')) {
    interaction(req, res).catch((err) => { res.writeHead(500); res.end(String(err)); });
    return;
  }
  callback(req, res);
}).listen(port, '127.0.0.1');
