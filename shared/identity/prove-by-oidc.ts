import { createHash, randomBytes } from 'node:crypto';
import type { EnvelopeDeps, RequestMeta } from '../envelope/deps.js';
import type { OpenedLink } from '../envelope/open-link.js';
import { assertEnvelopeLive } from '../envelope/routing.js';
import { AppError } from '../errors.js';
import { sha256Hex } from '../util/bytes.js';
import { assertCanProve, identityDeps, loadAttempts, providerCall, recordFinding } from './prove-identity.js';
import type { IdentityEvidence } from './types.js';

const OIDC_LOGIN_MS = 10 * 60_000;
const stateKey = (state: string) => sha256Hex(`kyso-oidc-state:${state}`);

const oidc = (deps: EnvelopeDeps) => {
  const p = identityDeps(deps).oidc;
  if (!p) throw new AppError('identity_not_configured', 'No OpenID Connect (VNeID) provider is configured on this deployment.');
  return p;
};

/**
 * Starts a VNeID login: a fresh state, nonce and PKCE verifier, kept on the recipient's
 * attempt record (only the state's hash; the state also finds the recipient again on the
 * way back, as a 10-minute grant). The browser goes to the returned URL.
 */
export const startOidcProof = async (deps: EnvelopeDeps, link: OpenedLink, loginHint?: string): Promise<{ authorizationUrl: string }> => {
  const provider = oidc(deps);
  const attempts = await loadAttempts(deps, link);
  assertCanProve(link, attempts);
  const state = randomBytes(24).toString('base64url');
  const nonce = randomBytes(24).toString('base64url');
  const codeVerifier = randomBytes(32).toString('base64url');
  await identityDeps(deps).attempts.put({
    ...attempts,
    version: attempts.version + 1,
    pending: { stateHash: stateKey(state), codeVerifier, nonce, startedAt: deps.clock.now().toISOString() },
  });
  await deps.tokens.put(stateKey(state), {
    tenantId: link.envelope.tenantId,
    envelopeId: link.envelope.id,
    recipientId: link.recipient.id,
    expiresAt: new Date(deps.clock.now().getTime() + OIDC_LOGIN_MS).toISOString(),
  });
  const authorizationUrl = await providerCall(() =>
    provider.authorizationUrl({
      state,
      nonce,
      codeChallenge: createHash('sha256').update(codeVerifier).digest('base64url'),
      redirectUri: identityDeps(deps).oidcRedirectUri,
      ...(loginHint ? { loginHint } : {}),
    }),
  );
  return { authorizationUrl };
};

/**
 * The provider sent the browser back. The state must be the one pending for that recipient
 * (single use: it is cleared before the code is redeemed); an `error` from the provider that
 * says fraud is counted as a failed proof, any other (the person cancelled) is not.
 */
export const finishOidcProof = async (
  deps: EnvelopeDeps,
  input: { state: string; code?: string; error?: string; errorDescription?: string },
  meta: RequestMeta,
): Promise<IdentityEvidence> => {
  const provider = oidc(deps);
  const grant = await deps.tokens.get(stateKey(input.state));
  if (!grant || Date.parse(grant.expiresAt) <= deps.clock.now().getTime()) {
    throw new AppError('token_invalid', 'This identity login is not valid or has expired; start again from your signing link.');
  }
  await deps.tokens.delete(stateKey(input.state));
  const envelope = await deps.envelopes.get(grant.tenantId, grant.envelopeId);
  const recipient = envelope?.recipients.find((r) => r.id === grant.recipientId);
  if (!envelope || !recipient) throw new AppError('token_invalid', 'This identity login is not valid.');
  assertEnvelopeLive(envelope);
  const link: OpenedLink = { grant, tokenHash: '', envelope, recipient };
  const attempts = await loadAttempts(deps, link);
  assertCanProve(link, attempts);
  if (attempts.pending?.stateHash !== stateKey(input.state))
    throw new AppError('token_invalid', 'This identity login was replaced by a newer one.');
  const { pending, ...rest } = attempts;
  const cleared = { ...rest, version: attempts.version + 1 };
  await identityDeps(deps).attempts.put(cleared);
  if (input.error) {
    if (!/fraud/i.test(input.errorDescription ?? '')) {
      throw new AppError('identity_mismatch', 'The identity login was cancelled or refused.', { reason: 'cancelled' });
    }
    return recordFinding(
      deps,
      link,
      cleared,
      {
        provider: provider.name,
        method: 'vneid-oidc',
        transactionId: stateKey(input.state).slice(0, 16),
        fullName: '',
        dateOfBirth: '',
        idNumber: '',
        fraudSuspected: true,
      },
      meta,
    );
  }
  if (!input.code) throw new AppError('bad_request', 'The identity provider sent no code.');
  const code = input.code;
  const finding = await providerCall(() =>
    provider.redeem({ code, codeVerifier: pending.codeVerifier, redirectUri: identityDeps(deps).oidcRedirectUri, nonce: pending.nonce }),
  );
  return recordFinding(deps, link, cleared, finding, meta);
};
