import { createHash, createPublicKey, type JsonWebKey, verify } from 'node:crypto';
import { IdentityProviderError, type OidcIdentityProvider, type ProviderFinding } from '../../shared/identity/ports.js';
import type { SecretSource } from '../aws/admin-key-secret.js';
import { providerSecret } from './provider-secret.js';

/**
 * A generic OpenID Connect relying party for identity services that federate VNeID:
 * discovery, authorization code flow with PKCE (S256), `state` and `nonce`, and the ID token's
 * signature verified against the provider's JWKS (ES256 or RS256), with issuer, audience,
 * expiry and nonce checked. The claims naming the person are configuration, because each
 * federating service names the citizen ID differently (KYSO_OIDC_ID_NUMBER_CLAIM, default
 * `id_number`); `name` and `birthdate` are the standard ones.
 */
export interface OidcOptions {
  readonly issuer: string;
  readonly clientId: string;
  /** A confidential client's secret, or where to read it (the provider-secrets secret). */
  readonly clientSecret?: SecretSource;
  readonly idNumberClaim?: string;
  readonly name?: string;
  readonly fetch?: typeof fetch;
  readonly now?: () => Date;
}

interface Discovery {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  jwks_uri: string;
}

const b64url = (s: string) => Buffer.from(s, 'base64url');

export const pkceChallenge = (verifier: string): string => createHash('sha256').update(verifier).digest('base64url');

export const oidcIdentityProvider = (options: OidcOptions): OidcIdentityProvider => {
  const doFetch = options.fetch ?? fetch;
  const now = options.now ?? (() => new Date());
  let discovery: Promise<Discovery> | undefined;
  const getJson = async (url: string, init?: RequestInit): Promise<Record<string, unknown>> => {
    let r: Response;
    try {
      r = await doFetch(url, init);
    } catch {
      throw new IdentityProviderError('unavailable', 'identity provider unreachable');
    }
    if (r.status >= 500 || r.status === 429) throw new IdentityProviderError('unavailable', `identity provider answered HTTP ${r.status}`);
    const body = (await r.json().catch(() => undefined)) as Record<string, unknown> | undefined;
    if (!body) throw new IdentityProviderError('invalid_response', `identity provider answered HTTP ${r.status} without JSON`);
    return body;
  };
  const discover = () => {
    discovery ??= getJson(`${options.issuer}/.well-known/openid-configuration`)
      .then((d) => {
        if (d.issuer !== options.issuer) throw new IdentityProviderError('invalid_response', 'discovery names another issuer');
        return d as unknown as Discovery;
      })
      .catch((e) => {
        discovery = undefined;
        throw e;
      });
    return discovery;
  };

  const verifyIdToken = async (jwt: string, nonce: string): Promise<Record<string, unknown>> => {
    const [h, p, sig] = jwt.split('.');
    if (!h || !p || !sig) throw new IdentityProviderError('invalid_response', 'ID token is not a JWS');
    const header = JSON.parse(b64url(h).toString('utf8')) as { alg?: string; kid?: string };
    if (header.alg !== 'ES256' && header.alg !== 'RS256')
      throw new IdentityProviderError('invalid_response', 'ID token algorithm not accepted');
    const jwks = (await getJson((await discover()).jwks_uri)) as { keys?: (JsonWebKey & { kid?: string })[] };
    const jwk = jwks.keys?.find((k) => k.kid === header.kid);
    if (!jwk) throw new IdentityProviderError('invalid_response', 'ID token signed by an unknown key');
    const key = createPublicKey({ key: jwk, format: 'jwk' });
    const ok = verify('sha256', Buffer.from(`${h}.${p}`), header.alg === 'ES256' ? { key, dsaEncoding: 'ieee-p1363' } : key, b64url(sig));
    if (!ok) throw new IdentityProviderError('invalid_response', 'ID token signature does not verify');
    const claims = JSON.parse(b64url(p).toString('utf8')) as Record<string, unknown>;
    const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    const t = now().getTime() / 1000;
    if (claims.iss !== options.issuer || !aud.includes(options.clientId))
      throw new IdentityProviderError('invalid_response', 'ID token issuer or audience');
    if (typeof claims.exp !== 'number' || claims.exp < t - 60) throw new IdentityProviderError('invalid_response', 'ID token expired');
    if (claims.nonce !== nonce) throw new IdentityProviderError('invalid_response', 'ID token nonce');
    return claims;
  };

  return {
    kind: 'oidc',
    name: options.name ?? 'vneid-oidc',
    async authorizationUrl(input) {
      const url = new URL((await discover()).authorization_endpoint);
      url.search = new URLSearchParams({
        response_type: 'code',
        client_id: options.clientId,
        redirect_uri: input.redirectUri,
        scope: 'openid profile',
        state: input.state,
        nonce: input.nonce,
        code_challenge: input.codeChallenge,
        code_challenge_method: 'S256',
        ...(input.loginHint ? { login_hint: input.loginHint } : {}),
      }).toString();
      return url.toString();
    },
    async redeem(input): Promise<ProviderFinding> {
      const d = await discover();
      const secret = options.clientSecret ? await providerSecret(options.clientSecret) : undefined;
      const body = await getJson(d.token_endpoint, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          ...(secret ? { authorization: `Basic ${Buffer.from(`${options.clientId}:${secret}`).toString('base64')}` } : {}),
        },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code: input.code,
          redirect_uri: input.redirectUri,
          client_id: options.clientId,
          code_verifier: input.codeVerifier,
        }).toString(),
      });
      if (typeof body.id_token !== 'string')
        throw new IdentityProviderError('refused', `token endpoint refused (${String(body.error ?? 'no id_token')})`);
      const claims = await verifyIdToken(body.id_token, input.nonce);
      const idNumber = String(claims[options.idNumberClaim ?? 'id_number'] ?? '');
      if (!/^\d{12}$/.test(idNumber) || typeof claims.name !== 'string' || typeof claims.birthdate !== 'string') {
        throw new IdentityProviderError('invalid_response', 'ID token lacks the citizen ID, name or birthdate');
      }
      return {
        provider: options.name ?? 'vneid-oidc',
        method: 'vneid-oidc',
        transactionId: String(claims.jti ?? claims.sid ?? `${claims.sub}@${claims.iat}`),
        fullName: claims.name,
        dateOfBirth: claims.birthdate,
        idNumber,
        ...(typeof claims.acr === 'string' ? { assuranceLevel: claims.acr } : {}),
      };
    },
  };
};
