// An independent upstream OpenID Provider for NIXA's federation tests: panva's oidc-provider (OpenID
// Certified), configured from the environment by tests/federation/node_op.py.
//
//   NIXA_OP_PORT      port to listen on (127.0.0.1)
//   NIXA_OP_CLIENTS   JSON list of client metadata (NIXA registered as a client)
//   NIXA_OP_ACCOUNTS  JSON object: login -> { claims: {...}, acr: "..." }
//
// The login page is ours (a plain form, no JavaScript): the login typed picks the account, an optional
// "acr" field picks the authentication context the provider asserts. Consent is granted for what was asked.
import http from 'node:http';
import { URLSearchParams } from 'node:url';
import Provider from 'oidc-provider';

const port = Number(process.env.NIXA_OP_PORT);
const issuer = `http://127.0.0.1:${port}`;
const clients = JSON.parse(process.env.NIXA_OP_CLIENTS || '[]');
const accounts = JSON.parse(process.env.NIXA_OP_ACCOUNTS || '{}');

const escape = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const provider = new Provider(issuer, {
  clients,
  acrValues: ['urn:upstream:loa:low', 'urn:upstream:loa:substantial', 'urn:upstream:loa:high'],
  claims: {
    acr: null,
    sid: null,
    auth_time: null,
    iss: null,
    openid: ['sub'],
    profile: ['name', 'birthdate'],
    email: ['email', 'email_verified'],
    personal_id: ['personal_id'],
  },
  scopes: ['openid', 'profile', 'email', 'personal_id', 'offline_access'],
  pkce: { required: () => true },
  features: {
    devInteractions: { enabled: false },
    claimsParameter: { enabled: true },
    backchannelLogout: { enabled: true },
    rpInitiatedLogout: {
      enabled: true,
      logoutSource: async (ctx, form) => {
        ctx.body = `<!DOCTYPE html><html><head><title>Upstream logout</title></head><body>${form}
          <button id="upstream-logout" type="submit" form="op.logoutForm" value="yes" name="logout">Sign out</button>
          </body></html>`;
      },
    },
  },
  // The provider refuses outgoing calls to loopback addresses (SSRF protection); NIXA runs on loopback in
  // these tests, so its back-channel logout calls go through the plain fetch.
  fetch: (url, options) => {
    const { dispatcher, ...rest } = options;
    return globalThis.fetch(url, rest);
  },
  findAccount: async (ctx, id) => {
    const account = accounts[id];
    if (!account) return undefined;
    return { accountId: id, claims: async () => ({ sub: id, ...account.claims }) };
  },
  ttl: { Session: 3600, Interaction: 600, Grant: 3600, IdToken: 300, AccessToken: 300 },
  cookies: { keys: ['nixa-federation-test-cookie-key'] },
});

async function readForm(req) {
  let body = '';
  for await (const chunk of req) body += chunk;
  return Object.fromEntries(new URLSearchParams(body));
}

async function interaction(req, res) {
  const uid = req.url.split('/')[2];
  const details = await provider.interactionDetails(req, res);
  if (req.method === 'GET') {
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.end(`<!DOCTYPE html><html><head><title>Upstream login</title></head><body>
      <h1>Upstream provider login</h1>
      <form method="post" action="/interaction/${escape(uid)}">
        <label for="login">Login</label><input id="login" name="login">
        <label for="acr">Level</label><input id="acr" name="acr" value="${escape(details.params.acr_values?.split(' ')[0] || '')}">
        <button id="upstream-submit" type="submit">Sign in</button>
      </form></body></html>`);
    return;
  }
  const form = await readForm(req);
  const account = accounts[form.login];
  if (!account) {
    await provider.interactionFinished(req, res, { error: 'access_denied' }, { mergeWithLastSubmission: false });
    return;
  }
  const grant = new provider.Grant({ accountId: form.login, clientId: details.params.client_id });
  grant.addOIDCScope(details.params.scope);
  const result = {
    login: { accountId: form.login, acr: form.acr || account.acr || undefined },
    consent: { grantId: await grant.save() },
  };
  await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
}

// Failures of the provider's outgoing calls go to its log, which the test helper shows when it fails.
provider.on('backchannel.error', (ctx, err, client) => console.error(`backchannel.error ${client.clientId}: ${err} ${err.cause}`));
provider.on('server_error', (ctx, err) => console.error(`server_error: ${err}`));

const callback = provider.callback();
http
  .createServer((req, res) => {
    if (req.url.startsWith('/interaction/')) {
      interaction(req, res).catch((err) => {
        res.statusCode = 500;
        res.end(String(err));
      });
      return;
    }
    callback(req, res);
  })
  .listen(port, '127.0.0.1', () => {
    console.log(`LISTENING ${issuer}`);
  });
