import { commitSignerRevisions } from '../envelope/commit-signer-revision.js';
import { documentKey } from '../envelope/create-envelope.js';
import type { EnvelopeDeps, RequestMeta } from '../envelope/deps.js';
import type { Envelope, EnvelopeDocument, SigningGrant } from '../envelope/types.js';
import { AppError } from '../errors.js';
import { checkSigningCertificate, partsOfCms, verifySignatureValue } from '../pki/external-signature.js';
import { fromHex, sha256Hex } from '../util/bytes.js';
import { Timer } from '../util/timer.js';
import { checkPathRevocation } from './check-revocation-online.js';
import { embedPinnedSignature } from './pinned-revision.js';
import type { ExternalSigningDeps, SigningSession } from './ports.js';
import { certificateSummary } from './prepare-signature.js';

export interface ReturnedSignature {
  /** Which document (optional when the session has one). */
  readonly documentId?: string;
  /** The raw signature value over the signed attributes (RSA, or ECDSA as DER or r||s). */
  readonly signature?: Uint8Array;
  /** Or a whole CMS SignedData made by the signer's tool over the same signed attributes. */
  readonly cms?: Uint8Array;
}

const unb64 = (s: string) => new Uint8Array(Buffer.from(s, 'base64'));

/** Records a refused completion in the audit trail, then refuses. Nothing has been embedded. */
export const rejectCompletion = async (deps: EnvelopeDeps, grant: SigningGrant, meta: RequestMeta, sessionId: string, error: AppError) => {
  await deps.audit.append(grant.tenantId, grant.envelopeId, {
    at: deps.clock.now().toISOString(),
    action: 'recipient.signature_rejected',
    actor: { type: 'recipient', id: grant.recipientId },
    ...meta,
    data: { sessionId, code: error.code, reason: error.message },
  });
  return error;
};

/** Loads a session for this recipient and checks it can still be completed. */
export const openSession = async (
  ext: ExternalSigningDeps,
  deps: EnvelopeDeps,
  grant: SigningGrant,
  sessionId: string,
): Promise<SigningSession> => {
  const session = /^[A-Za-z0-9_-]{10,64}$/.test(sessionId)
    ? await ext.sessions.get(grant.tenantId, grant.envelopeId, sessionId)
    : undefined;
  if (!session || session.recipientId !== grant.recipientId)
    throw new AppError('signing_session_not_found', 'No such signing session: prepare again.');
  if (session.status === 'used' || session.status === 'failed') {
    throw new AppError('signing_session_used', 'This signing session has already been used: prepare again.');
  }
  if (Date.parse(session.expiresAt) <= deps.clock.now().getTime()) {
    throw new AppError('signing_session_expired', 'This signing session has expired: prepare again.');
  }
  return session;
};

/** Verifies every returned signature against the pinned signed attributes; returns the values to embed, by document. */
export const verifyReturnedSignatures = (session: SigningSession, returned: readonly ReturnedSignature[]): Map<string, Uint8Array> => {
  const certificate = unb64(session.certificate);
  const out = new Map<string, Uint8Array>();
  for (const doc of session.documents) {
    const match =
      returned.find((r) => r.documentId === doc.documentId) ??
      (session.documents.length === 1 && returned.length === 1 ? returned[0] : undefined);
    if (!match) throw new AppError('validation_failed', `No signature for document ${doc.documentId}.`);
    const pinned = unb64(doc.signedAttributes);
    let value: Uint8Array;
    if (match.cms) {
      const parts = partsOfCms(match.cms);
      if (!Buffer.from(parts.signedAttributes).equals(Buffer.from(pinned))) {
        throw new AppError('signature_invalid', 'The CMS signs other attributes than the ones prepared (changed document or certificate).');
      }
      value = parts.signatureValue;
    } else if (match.signature) {
      value = match.signature;
    } else {
      throw new AppError('validation_failed', 'Send "signature" (the raw value) or "cms".');
    }
    out.set(doc.documentId, verifySignatureValue(certificate, pinned, value));
  }
  return out;
};

/** The certificate must still chain to the trust list at the claimed signing time (a root may have been withdrawn since prepare). */
export const recheckSessionCertificate = async (ext: ExternalSigningDeps, session: SigningSession): Promise<void> => {
  const path = checkSigningCertificate({
    certificate: unb64(session.certificate),
    chain: session.chain.map(unb64),
    trustAnchors: await ext.trustAnchors(session.tenantId),
    at: new Date(session.signedAt),
  });
  await checkPathRevocation(path, ext.fetchCrl, new Date(session.signedAt));
};

/** Marks the session used before anything is embedded: a replayed completion finds it used (single use). */
export const claimSession = async (ext: ExternalSigningDeps, session: SigningSession, status: SigningSession['status'] = 'used') => {
  const next: SigningSession = { ...session, status, version: session.version + 1 };
  try {
    await ext.sessions.update(next);
  } catch (e) {
    if (e instanceof AppError && e.code === 'conflict')
      throw new AppError('signing_session_used', 'This signing session has already been used: prepare again.');
    throw e;
  }
  return next;
};

/**
 * Phase two: the signature values (or CMSes) come back; each must verify against the pinned
 * signed attributes and the session's certificate, and the certificate must still chain to
 * the trust list at the claimed signing time. Then the session is spent, the signatures are
 * embedded into the pinned bytes with a signature timestamp, and the envelope goes on exactly
 * as after any other signature (commitSignerRevisions). If another signer committed a revision
 * since prepare, nothing is embedded: document_changed.
 */
export const completeWithVerifiedSignatures = async (
  deps: EnvelopeDeps,
  ext: ExternalSigningDeps,
  grant: SigningGrant,
  session: SigningSession,
  values: Map<string, Uint8Array>,
  meta: RequestMeta,
): Promise<Envelope> => {
  const certificate = unb64(session.certificate);
  const chain = session.chain.map(unb64);
  const timer = new Timer();
  const tsaSources: string[] = [];
  const { envelope } = await commitSignerRevisions(
    deps,
    grant,
    timer,
    async (current, { timestamper }) => {
      tsaSources.length = 0; // a retry stamps again
      const documents: EnvelopeDocument[] = [];
      for (const doc of current.documents) {
        const pinned = session.documents.find((d) => d.documentId === doc.id);
        if (!pinned) {
          documents.push(doc);
          continue;
        }
        if (doc.sha256 !== pinned.baseSha256) {
          throw new AppError('document_changed', 'The document changed since prepare (another signature was added): prepare again.');
        }
        const pdf = await embedPinnedSignature({
          pinned: await (ext.pinnedDocuments ?? deps.documents).get(pinned.pinnedKey),
          byteRange: pinned.byteRange,
          contentDigest: fromHex(pinned.contentDigest),
          signedAttributes: unb64(pinned.signedAttributes),
          signerCertificate: certificate,
          chain,
          signatureValue: values.get(doc.id) as Uint8Array,
          algorithm: session.algorithm,
          timestamper,
        });
        const sha256 = sha256Hex(pdf);
        const key = documentKey(current.tenantId, current.id, doc.id, sha256);
        await deps.documents.put(key, pdf);
        documents.push({ ...doc, sha256, key, revisions: doc.revisions + 1 });
      }
      return { documents, values: new Map(Object.entries(session.fieldValues)) };
    },
    {
      signedAt: new Date(session.signedAt),
      rebuildable: false,
      onTimestamp: (source) => tsaSources.push(source),
      meta,
      data: () => ({
        method: session.method === 'remote' ? `remote-signing:${session.remote?.caName ?? 'csc'}` : 'usb-token',
        signature: 'own-certificate',
        sessionId: session.id,
        certificate: certificateSummary(certificate),
        timestamps: [...new Set(tsaSources)],
      }),
    },
  );
  return envelope;
};

/** POST /v1/sign/{token}/complete: verify, spend the session, embed, go on. Every refusal is audited. */
export const completeExternalSignature = async (
  deps: EnvelopeDeps,
  ext: ExternalSigningDeps,
  grant: SigningGrant,
  input: { readonly sessionId: string; readonly signatures: readonly ReturnedSignature[] },
  meta: RequestMeta,
): Promise<Envelope> => {
  try {
    const session = await openSession(ext, deps, grant, input.sessionId);
    if (session.method !== 'token')
      throw new AppError('invalid_state', 'This session is completed by the remote-signing CA, not by the page.');
    const values = verifyReturnedSignatures(session, input.signatures);
    await recheckSessionCertificate(ext, session);
    const claimed = await claimSession(ext, session);
    return await completeWithVerifiedSignatures(deps, ext, grant, claimed, values, meta);
  } catch (e) {
    if (e instanceof AppError && e.status < 500) throw await rejectCompletion(deps, grant, meta, input.sessionId, e);
    throw e;
  }
};
