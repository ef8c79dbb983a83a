import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An OpenID provider federating VNeID, for tests, on 127.0.0.1: discovery, JWKS, /authorize
 * (code flow, PKCE S256 required) and /token (ID token signed ES256). There is no login page:
 * `login_hint` says who logs in — `<12-digit id>|<full name>|<YYYY-MM-DD>[|level1]` — or how
 * it goes wrong: `fraud` (the provider refuses with access_denied / fraud_suspected) and
 * `outage` (the token endpoint answers 503). `level1` issues a level-1 (not level-2) VNeID acr.
 */
export const startOidcTestServer = async (options: { clientId?: string } = {}) => {
  const clientId = options.clientId ?? 'kyso-test-rp';
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const kid = randomBytes(6).toString('hex');
  const codes = new Map<string, { hint: string; challenge: string; redirectUri: string; nonce: string }>();
  let issuer = '';
  const read = async (req: IncomingMessage) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  };
  const jwt = (claims: Record<string, unknown>) => {
    const h = Buffer.from(JSON.stringify({ alg: 'ES256', typ: 'JWT', kid })).toString('base64url');
    const p = Buffer.from(JSON.stringify(claims)).toString('base64url');
    const s = sign('sha256', Buffer.from(`${h}.${p}`), { key: privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url');
    return `${h}.${p}.${s}`;
  };
  const server = createServer(async (req, res) => {
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const url = new URL(String(req.url), issuer);
    if (url.pathname === '/.well-known/openid-configuration') {
      return json(200, {
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/jwks`,
        response_types_supported: ['code'],
        code_challenge_methods_supported: ['S256'],
        id_token_signing_alg_values_supported: ['ES256'],
      });
    }
    if (url.pathname === '/jwks') return json(200, { keys: [{ ...publicKey.export({ format: 'jwk' }), kid, use: 'sig', alg: 'ES256' }] });
    if (url.pathname === '/authorize') {
      const q = url.searchParams;
      const redirectUri = q.get('redirect_uri') ?? '';
      if (
        q.get('client_id') !== clientId ||
        q.get('response_type') !== 'code' ||
        q.get('code_challenge_method') !== 'S256' ||
        !redirectUri
      ) {
        return json(400, { error: 'invalid_request' });
      }
      const back = new URL(redirectUri);
      back.searchParams.set('state', q.get('state') ?? '');
      const hint = q.get('login_hint') ?? '';
      if (hint === 'fraud') {
        back.searchParams.set('error', 'access_denied');
        back.searchParams.set('error_description', 'fraud_suspected');
      } else {
        const code = randomBytes(16).toString('base64url');
        codes.set(code, { hint, challenge: q.get('code_challenge') ?? '', redirectUri, nonce: q.get('nonce') ?? '' });
        back.searchParams.set('code', code);
      }
      res.writeHead(302, { location: back.toString() });
      return res.end();
    }
    if (url.pathname === '/token' && req.method === 'POST') {
      const form = new URLSearchParams(await read(req));
      const code = codes.get(form.get('code') ?? '');
      codes.delete(form.get('code') ?? '');
      if (!code) return json(400, { error: 'invalid_grant' });
      if (code.hint === 'outage') return json(503, { error: 'temporarily_unavailable' });
      const verifier = form.get('code_verifier') ?? '';
      if (createHash('sha256').update(verifier).digest('base64url') !== code.challenge || form.get('redirect_uri') !== code.redirectUri) {
        return json(400, { error: 'invalid_grant', error_description: 'PKCE or redirect_uri mismatch' });
      }
      const [id, name, birthdate, level] = code.hint.split('|');
      const now = Math.floor(Date.now() / 1000);
      return json(200, {
        token_type: 'Bearer',
        access_token: randomBytes(16).toString('hex'),
        expires_in: 300,
        id_token: jwt({
          iss: issuer,
          aud: clientId,
          sub: `vneid-${id}`,
          iat: now,
          exp: now + 300,
          nonce: code.nonce,
          jti: randomBytes(8).toString('hex'),
          acr: level === 'level1' ? 'vneid-level-1' : 'vneid-level-2',
          name,
          birthdate,
          id_number: id,
        }),
      });
    }
    json(404, { error: 'not_found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { issuer, clientId, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
};
