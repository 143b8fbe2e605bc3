// A real OpenID Provider for City Portal's tests of the city login: panva's
// oidc-provider (OpenID Certified), configured like a city's identity provider
// (three assurance levels as `acr`, groups for staff roles, PKCE required,
// RP-initiated logout). Test use only; `scripts/test` starts it on loopback.
//
//   PORT=4567 node server.mjs
//
// Anyone may log in with any name (no password check): the account's `sub` is
// "sub-<name>", its verified email "<name>@citizens.example", a name starting with
// "unverified-" has an unverified address, one starting with "admin-" is in the
// group "city-admins". The login form lets the tester choose the assurance level.
//
// As the OpenID Connect spec has it (and oidc-provider by default), the scopes'
// claims (email, name, groups) come from the UserInfo endpoint, not the ID token.
//
// Clients register themselves (dynamic registration, RFC 7591), so that every test
// server registers its own exact redirect URI.
//
// To test that the portal refuses bad ID tokens, `POST /_test/tamper` with
// {"client_id": ..., "mode": ...} changes the ID token of that client's next token
// response: other-key (signed by a key the provider never published), other-aud,
// expired, wrong-nonce, wrong-iss, or rotated (signed by a new key, which the JWKS
// publishes from then on: a key rotation); old-auth-time (the login an hour ago) or
// no-auth-time (none said); other-azp (authorized party another client); several-aud
// (this client and another, which the portal does not trust, as audiences); old-iat or
// future-iat (issued an hour ago or ahead); wrong-at-hash or at-hash (an access token
// hash that does not or does match); unknown-acr (a level the portal does not know).
// The mode userinfo-other-sub instead changes the next UserInfo response of that
// client: it names another subject. Everything else is the provider unchanged.
import { createServer } from 'node:http';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import Provider from 'oidc-provider';
import * as jose from 'jose';

const port = Number(process.env.PORT || 4567);
const issuer = `http://127.0.0.1:${port}`;

async function signingKey(kid) {
  const { privateKey } = await jose.generateKeyPair('RS256', { extractable: true });
  return { ...(await jose.exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' };
}

const published = await signingKey(`test-${randomUUID()}`);
const unpublished = await signingKey(`other-${randomUUID()}`);
// A key the provider starts publishing (beside its first) once a test asks for a key
// rotation, and signs that test's next ID token with.
const rotated = await signingKey(`rotated-${randomUUID()}`);
let rotatedPublished = false;
const publicJwk = ({ kty, n, e, kid, alg, use }) => ({ kty, n, e, kid, alg, use });

function claimsOf(login) {
  const claims = {
    sub: `sub-${login}`,
    email: `${login}@citizens.example`,
    email_verified: !login.startsWith('unverified-'),
    name: login.replace(/[-_]/g, ' '),
    groups: login.startsWith('admin-') ? ['city-admins', 'staff'] : ['residents'],
  };
  return claims;
}

const provider = new Provider(issuer, {
  jwks: { keys: [published] },
  cookies: { keys: [randomUUID()] },
  acrValues: ['basic', 'substantial', 'high'],
  scopes: ['openid', 'email', 'profile', 'groups', 'offline_access'],
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name'],
    groups: ['groups'],
    acr: null,
  },
  pkce: { required: () => true },
  features: {
    devInteractions: { enabled: false },
    registration: { enabled: true },
    rpInitiatedLogout: { enabled: true },
  },
  clientDefaults: {
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
    id_token_signed_response_alg: 'RS256',
  },
  findAccount: async (_ctx, id) => ({
    accountId: id,
    claims: async () => claimsOf(id.replace(/^sub-/, '')),
  }),
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
});

// client id -> the next tampering of its ID token
const tampering = new Map();

provider.use(async (ctx, next) => {
  await next();
  if (ctx.oidc?.route === 'userinfo' && ctx.status === 200 && ctx.body?.sub) {
    const clientId = ctx.oidc.client?.clientId;
    if (tampering.get(clientId) === 'userinfo-other-sub') {
      tampering.delete(clientId);
      ctx.body = { ...ctx.body, sub: `${ctx.body.sub}-someone-else` };
    }
    return;
  }
  if (ctx.oidc?.route !== 'token' || ctx.status !== 200 || !ctx.body?.id_token) return;
  const clientId = ctx.oidc.client?.clientId;
  const mode = tampering.get(clientId);
  if (!mode || mode.startsWith('userinfo-')) return;
  tampering.delete(clientId);
  const claims = jose.decodeJwt(ctx.body.id_token);
  let key = published;
  const now = Math.floor(Date.now() / 1000);
  switch (mode) {
    case 'other-key': key = unpublished; break;
    case 'rotated': rotatedPublished = true; key = rotated; break;
    case 'other-aud': claims.aud = 'someone-else'; break;
    case 'expired': claims.iat = now - 7200; claims.exp = now - 3600; break;
    case 'wrong-nonce': claims.nonce = 'not-the-nonce'; break;
    case 'wrong-iss': claims.iss = 'http://127.0.0.1:1/evil'; break;
    case 'old-auth-time': claims.auth_time = now - 3600; break;
    case 'no-auth-time': delete claims.auth_time; break;
    case 'other-azp': claims.azp = 'someone-else'; break;
    case 'several-aud': claims.aud = [clientId, 'someone-else']; claims.azp = clientId; break;
    case 'old-iat': claims.iat = now - 3600; break;
    case 'future-iat': claims.iat = now + 3600; claims.exp = now + 7200; break;
    case 'wrong-at-hash': claims.at_hash = randomBytes(16).toString('base64url'); break;
    case 'at-hash':
      claims.at_hash = createHash('sha256').update(ctx.body.access_token).digest().subarray(0, 16).toString('base64url');
      break;
    case 'unknown-acr': claims.acr = 'made-up'; break;
    default: return;
  }
  const signer = await jose.importJWK(key, 'RS256');
  ctx.body = {
    ...ctx.body,
    id_token: await new jose.SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: key.kid })
      .sign(signer),
  };
});

const esc = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(res, title, body) {
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title></head>
<body><main><h1>${esc(title)}</h1>${body}</main></body></html>`);
}

async function formBody(req) {
  let raw = '';
  for await (const chunk of req) raw += chunk;
  return Object.fromEntries(new URLSearchParams(raw));
}

async function interaction(req, res, uid, action) {
  const details = await provider.interactionDetails(req, res);
  const { prompt, params, session } = details;
  if (req.method === 'GET') {
    if (prompt.name === 'login') {
      const wanted = String(params.acr_values || 'basic').split(' ')[0];
      const options = ['basic', 'substantial', 'high']
        .map((l) => `<option value="${l}"${l === wanted ? ' selected' : ''}>${l}</option>`)
        .join('');
      return page(res, 'Test city login', `
<form method="post" action="/interaction/${esc(uid)}/login">
<label for="login">Username</label> <input id="login" name="login" autocomplete="username" required>
<label for="password">Password</label> <input id="password" name="password" type="password">
<label for="acr">Assurance level</label> <select id="acr" name="acr">${options}</select>
<button type="submit">Log in</button></form>`);
    }
    return page(res, 'Allow access', `
<p>${esc(params.client_id)} asks for: ${esc(params.scope)}</p>
<form method="post" action="/interaction/${esc(uid)}/confirm"><button type="submit">Allow</button></form>`);
  }
  if (action === 'login') {
    const form = await formBody(req);
    const login = String(form.login || '').trim();
    if (!login) return page(res, 'Test city login', '<p>Username missing</p>');
    const acr = ['basic', 'substantial', 'high'].includes(form.acr) ? form.acr : 'basic';
    return provider.interactionFinished(req, res, { login: { accountId: `sub-${login}`, acr, amr: ['pwd'] } }, { mergeWithLastSubmission: false });
  }
  if (action === 'confirm') {
    await formBody(req);
    let grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
    const missing = prompt.details;
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    if (missing.missingResourceScopes) {
      for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes)) {
        grant.addResourceScope(indicator, scopes.join(' '));
      }
    }
    const grantId = await grant.save();
    const consent = details.grantId ? {} : { grantId };
    return provider.interactionFinished(req, res, { consent }, { mergeWithLastSubmission: true });
  }
  res.writeHead(404).end();
}

const handle = provider.callback();

createServer(async (req, res) => {
  try {
    const url = new URL(req.url, issuer);
    if (url.pathname === '/_test/tamper' && req.method === 'POST') {
      let raw = '';
      for await (const chunk of req) raw += chunk;
      const { client_id: clientId, mode } = JSON.parse(raw);
      tampering.set(clientId, mode);
      res.writeHead(204).end();
      return;
    }
    if (url.pathname === '/jwks' && rotatedPublished) {
      res.writeHead(200, { 'content-type': 'application/jwk-set+json' });
      res.end(JSON.stringify({ keys: [publicJwk(published), publicJwk(rotated)] }));
      return;
    }
    if (url.pathname === '/_test/health') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      return;
    }
    const m = url.pathname.match(/^\/interaction\/([^/]+)(?:\/(login|confirm))?$/);
    if (m) {
      await interaction(req, res, m[1], m[2]);
      return;
    }
    handle(req, res);
  } catch (e) {
    if (!res.headersSent) res.writeHead(400, { 'content-type': 'text/plain' });
    res.end(`error: ${e.message}`);
  }
}).listen(port, '127.0.0.1', () => {
  console.log(`test OpenID Provider at ${issuer}`);
});
