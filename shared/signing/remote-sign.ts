import type { EnvelopeDeps, RequestMeta } from '../envelope/deps.js';
import type { Envelope, SigningGrant } from '../envelope/types.js';
import { AppError } from '../errors.js';
import { resolveRemoteProvider } from '../remote/providers.js';
import { type RemoteOutcome, type RemoteStep, resumeRemoteSignature, startRemoteSignature } from '../remote/remote-signature.js';
import {
  claimSession,
  completeWithVerifiedSignatures,
  openSession,
  recheckSessionCertificate,
  rejectCompletion,
  verifyReturnedSignatures,
} from './complete-signature.js';
import type { ExternalSigningDeps, SigningSession } from './ports.js';
import { prepareExternalSignature } from './prepare-signature.js';

/**
 * Signing through the tenant's remote-signing CA (CSC API): the server finds the signer's
 * credential, pins the revision exactly as for a USB token, and asks the CA to sign the
 * hashes. Vietnamese CAs confirm on the signer's phone, so the answer is usually "pending":
 * the session stays `pending-remote` and the signer page polls (each poll is one
 * authorizeCheck, no server-side waiting, fine on Lambda). The session's expiry is the
 * timeout. Every step lands in the audit trail.
 */
export type RemoteSigningState =
  | { readonly status: 'signed'; readonly sessionId: string; readonly envelope: Envelope }
  | { readonly status: 'pending'; readonly sessionId: string; readonly expiresAt: string; readonly caName: string };

const unb64 = (s: string) => new Uint8Array(Buffer.from(s, 'base64'));

/** The CSC client for the provider the signer chose (none: the tenant's default, or the only provider there is). */
const clientFor = async (ext: ExternalSigningDeps, tenantId: string, providerId: string | undefined) => {
  if (!ext.remoteProviders || !ext.cscClient) throw new AppError('remote_signing_not_configured', 'Remote signing is not set up here.');
  const provider = await resolveRemoteProvider(ext.remoteProviders, tenantId, providerId);
  return { client: ext.cscClient(provider), providerId: provider.providerId };
};

const auditStep =
  (deps: EnvelopeDeps, grant: SigningGrant, meta: RequestMeta, sessionId: string | undefined, caName: string, providerId?: string) =>
  async (step: RemoteStep | 'credential.found' | 'credential.unknown' | 'provider.failed', data: Record<string, unknown> = {}) => {
    await deps.audit.append(grant.tenantId, grant.envelopeId, {
      at: deps.clock.now().toISOString(),
      action: `recipient.remote_signing.${step}`,
      actor: { type: 'system' },
      ...meta,
      data: {
        recipientId: grant.recipientId,
        ca: caName,
        ...(providerId ? { providerId } : {}),
        ...(sessionId ? { sessionId } : {}),
        ...data,
      },
    });
  };

const settle = async (
  deps: EnvelopeDeps,
  ext: ExternalSigningDeps,
  grant: SigningGrant,
  session: SigningSession,
  outcome: RemoteOutcome,
  meta: RequestMeta,
): Promise<RemoteSigningState> => {
  if (outcome.state === 'pending') {
    if (session.status !== 'pending-remote' || session.remote?.requestId !== outcome.requestId) {
      const remote = { ...(session.remote as NonNullable<SigningSession['remote']>), requestId: outcome.requestId };
      await ext.sessions.update({ ...session, status: 'pending-remote', remote, version: session.version + 1 });
    }
    return { status: 'pending', sessionId: session.id, expiresAt: session.expiresAt, caName: session.remote?.caName ?? '' };
  }
  if (outcome.state === 'refused') {
    await claimSession(ext, session, 'failed');
    throw new AppError('remote_signing_refused', outcome.reason);
  }
  const values = verifyReturnedSignatures(
    session,
    session.documents.map((d, i) => ({ documentId: d.documentId, signature: outcome.signatures[i] as Uint8Array })),
  );
  await recheckSessionCertificate(ext, session);
  const claimed = await claimSession(ext, session);
  const envelope = await completeWithVerifiedSignatures(deps, ext, grant, claimed, values, meta);
  return { status: 'signed', sessionId: session.id, envelope };
};

/** POST /v1/sign/{token}/remote {providerId, userId}: find the credential at the chosen CA, pin, ask the CA. */
export const startRemoteSigning = async (
  deps: EnvelopeDeps,
  ext: ExternalSigningDeps,
  grant: SigningGrant,
  input: {
    readonly providerId?: string;
    readonly userId: string;
    readonly credentialId?: string;
    readonly fields: Readonly<Record<string, string>>;
  },
  meta: RequestMeta,
): Promise<RemoteSigningState> => {
  let chosen: Awaited<ReturnType<typeof clientFor>>;
  try {
    chosen = await clientFor(ext, grant.tenantId, input.providerId);
  } catch (e) {
    // An unknown provider id is a signing attempt that failed: audited like any other refusal.
    if (e instanceof AppError && e.code === 'remote_provider_not_found') throw await rejectCompletion(deps, grant, meta, 'remote', e);
    throw e;
  }
  const { client, providerId } = chosen;
  const caName = client.config.caName;
  const audit = (sessionId: string | undefined) => auditStep(deps, grant, meta, sessionId, caName, providerId);
  try {
    const ids = await client.listCredentials(input.userId);
    const credentialId = input.credentialId ?? ids[0];
    if (!credentialId || !ids.includes(credentialId)) {
      // The user id is not logged or audited (it may be a citizen id number): only that it matched nothing.
      await audit(undefined)('credential.unknown');
      throw new AppError('remote_signing_unknown_user', `${caName} has no signing certificate for this user id.`);
    }
    const credential = await client.credentialInfo(credentialId);
    await audit(undefined)('credential.found', { credentialId, keyStatus: credential.keyStatus });
    const { session } = await prepareExternalSignature(
      deps,
      ext,
      grant,
      { chain: credential.chain, fields: input.fields, method: 'remote', remote: { credentialId, caName, providerId } },
      meta,
    );
    const envelope = await deps.envelopes.get(grant.tenantId, grant.envelopeId);
    const outcome = await startRemoteSignature({
      client,
      credentialId,
      signedAttributes: session.documents.map((d) => unb64(d.signedAttributes)),
      algorithm: session.algorithm,
      description: `Kyso: ${envelope?.title ?? 'hợp đồng'}`,
      onStep: audit(session.id),
    });
    return await settle(deps, ext, grant, session, outcome, meta);
  } catch (e) {
    if (e instanceof AppError && e.status < 500 && e.code !== 'remote_signing_failed') {
      throw await rejectCompletion(deps, grant, meta, 'remote', e);
    }
    if (e instanceof AppError && e.code === 'remote_signing_failed') await audit(undefined)('provider.failed', { failure: e.message });
    throw e;
  }
};

/** GET /v1/sign/{token}/remote/{sessionId}: one check with the CA; signed, still pending, refused or expired. */
export const pollRemoteSigning = async (
  deps: EnvelopeDeps,
  ext: ExternalSigningDeps,
  grant: SigningGrant,
  sessionId: string,
  meta: RequestMeta,
): Promise<RemoteSigningState> => {
  try {
    let session: SigningSession;
    try {
      session = await openSession(ext, deps, grant, sessionId);
    } catch (e) {
      // The confirmation window closed: record the timeout once and end the session.
      if (e instanceof AppError && e.code === 'signing_session_expired') {
        const stale = await ext.sessions.get(grant.tenantId, grant.envelopeId, sessionId);
        if (stale && stale.status !== 'failed' && stale.status !== 'used') {
          await claimSession(ext, stale, 'failed').catch(() => undefined);
          await auditStep(
            deps,
            grant,
            meta,
            sessionId,
            stale.remote?.caName ?? '',
            stale.remote?.providerId,
          )('timed-out', {
            requestId: stale.remote?.requestId,
          });
        }
      }
      throw e;
    }
    if (session.method !== 'remote' || !session.remote?.requestId)
      throw new AppError('signing_session_not_found', 'No pending remote signature in this session.');
    const { client } = await clientFor(ext, grant.tenantId, session.remote.providerId);
    const outcome = await resumeRemoteSignature(
      {
        client,
        credentialId: session.remote.credentialId,
        signedAttributes: session.documents.map((d) => unb64(d.signedAttributes)),
        algorithm: session.algorithm,
        description: '',
        onStep: auditStep(deps, grant, meta, session.id, session.remote.caName, session.remote.providerId),
      },
      session.remote.requestId,
    );
    return await settle(deps, ext, grant, session, outcome, meta);
  } catch (e) {
    if (e instanceof AppError && e.status < 500 && e.code !== 'remote_signing_failed')
      throw await rejectCompletion(deps, grant, meta, sessionId, e);
    // The CA went down while the signer was confirming: recorded; the session stays open for the next poll.
    if (e instanceof AppError && e.code === 'remote_signing_failed') {
      const pending = await ext.sessions.get(grant.tenantId, grant.envelopeId, sessionId).catch(() => undefined);
      await auditStep(
        deps,
        grant,
        meta,
        sessionId,
        pending?.remote?.caName ?? '',
        pending?.remote?.providerId,
      )('provider.failed', {
        failure: e.message,
      });
    }
    throw e;
  }
};
