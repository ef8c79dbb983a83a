import { pdfFieldName } from '../envelope/certify-documents.js';
import type { EnvelopeDeps, RequestMeta } from '../envelope/deps.js';
import { assertCanSign } from '../envelope/routing.js';
import { validateFieldValues } from '../envelope/sign-envelope.js';
import type { Field, SigningGrant } from '../envelope/types.js';
import { getEnvelopeOrThrow } from '../envelope/update-envelope.js';
import { AppError } from '../errors.js';
import type { FormValue } from '../pdf/sign-revision.js';
import { commonNameOf } from '../pki/certificate-path.js';
import { certificateSummary } from '../pki/certificate-summary.js';
import { checkSigningCertificate, signatureAlgorithmFor } from '../pki/external-signature.js';
import { randomId, sha256, toHex } from '../util/bytes.js';
import { checkPathRevocation } from './check-revocation-online.js';
import { buildPinnedRevision } from './pinned-revision.js';
import type { ExternalSigningDeps, PinnedDocument, SigningSession } from './ports.js';

export const DEFAULT_SESSION_TTL_MS = 10 * 60_000;

export interface PrepareInput {
  /** The signer's certificate first, then its issuers (DER). */
  readonly chain: readonly Uint8Array[];
  readonly fields: Readonly<Record<string, string>>;
  readonly method: SigningSession['method'];
  readonly remote?: SigningSession['remote'];
}

export interface PreparedDocument {
  readonly documentId: string;
  /** base64 DER signed attributes: sign these (SHA-256 + the certificate's key). */
  readonly signedAttributesDer: string;
  /** SHA-256 of signedAttributesDer, hex and base64 (what a hash-signing API such as CSC signHash takes). */
  readonly digestHex: string;
  readonly digestB64: string;
}

export interface PrepareResult {
  readonly session: SigningSession;
  readonly documents: readonly PreparedDocument[];
}

/** Dates are shown the Vietnamese way (DD/MM/YYYY) in the PDF; the API speaks ISO. */
const displayValue = (f: Field, value: string): string => {
  if (f.type !== 'date') return value;
  const [y, m, d] = value.split('-');
  return `${d}/${m}/${y}`;
};

/** Who the certificate names, for the audit trail (no private data beyond what the certificate shows anyone). */
export { certificateSummary };

const b64 = (d: Uint8Array) => Buffer.from(d).toString('base64');

/**
 * Phase one of signing with one's own certificate: checks the certificate (key usage, chain
 * to the trust list, validity now), builds the signer's next revision of every document that
 * carries their signature field — fields filled, visible signature drawn, /M fixed to now —
 * pins those bytes and the signed attributes in a stored, short-lived session, and returns
 * what the signer's key must sign.
 */
export const prepareExternalSignature = async (
  deps: EnvelopeDeps,
  ext: ExternalSigningDeps,
  grant: SigningGrant,
  input: PrepareInput,
  meta: RequestMeta,
): Promise<PrepareResult> => {
  const [certificate, ...rest] = input.chain;
  if (!certificate) throw new AppError('validation_failed', 'Send the signing certificate (and its chain).');
  const envelope = await getEnvelopeOrThrow(deps, grant.tenantId, grant.envelopeId);
  const recipient = assertCanSign(envelope, grant.recipientId);
  if (recipient.role !== 'signer') throw new AppError('invalid_state', 'Only signers sign with their own certificate.');
  const values = validateFieldValues(envelope, recipient.id, input.fields);
  const now = deps.clock.now();
  const path = checkSigningCertificate({ certificate, chain: rest, trustAnchors: await ext.trustAnchors(grant.tenantId), at: now });
  const algorithm = signatureAlgorithmFor(certificate);
  const revocation = await checkPathRevocation(path, ext.fetchCrl, now);
  const signerName = commonNameOf(certificate);
  const sessionId = randomId(16);

  const documents: PinnedDocument[] = [];
  const prepared: PreparedDocument[] = [];
  for (const doc of envelope.documents) {
    const mine = envelope.fields.filter((f) => f.documentId === doc.id && f.recipientId === recipient.id);
    const sigField = mine.find((f) => f.type === 'signature');
    if (!sigField) continue;
    const formValues: FormValue[] = mine
      .filter((f) => f.type !== 'signature' && values.has(f.id))
      .map((f) => ({ name: pdfFieldName(f), type: f.type as FormValue['type'], rect: f, value: displayValue(f, values.get(f.id) ?? '') }));
    const pinned = await buildPinnedRevision({
      pdf: await deps.documents.get(doc.key),
      fieldName: pdfFieldName(sigField),
      widget: sigField,
      signerName,
      detail: recipient.email,
      contactInfo: recipient.email,
      signedAt: now,
      formValues,
      signerCertificate: certificate,
      locale: envelope.language ?? 'vi',
    });
    // Own prefix, so a bucket lifecycle rule can expire abandoned sessions' bytes.
    const pinnedKey = `signing-sessions/${grant.tenantId}/${grant.envelopeId}/${sessionId}/${doc.id}.pdf`;
    await (ext.pinnedDocuments ?? deps.documents).put(pinnedKey, pinned.pdf);
    documents.push({
      documentId: doc.id,
      baseSha256: doc.sha256,
      pinnedKey,
      byteRange: pinned.byteRange,
      contentDigest: toHex(pinned.contentDigest),
      signedAttributes: b64(pinned.signedAttributes),
    });
    const digest = sha256(pinned.signedAttributes);
    prepared.push({
      documentId: doc.id,
      signedAttributesDer: b64(pinned.signedAttributes),
      digestHex: toHex(digest),
      digestB64: b64(digest),
    });
  }
  if (!documents.length) throw new AppError('missing_signature_field', 'You have no signature field in this envelope.');

  const session: SigningSession = {
    id: sessionId,
    tenantId: grant.tenantId,
    envelopeId: grant.envelopeId,
    recipientId: recipient.id,
    status: 'prepared',
    method: input.method,
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + (ext.sessionTtlMs ?? DEFAULT_SESSION_TTL_MS)).toISOString(),
    signedAt: now.toISOString(),
    certificate: b64(certificate),
    // Embedded in the CMS: the path we validated, without the signer's own certificate.
    chain: path.slice(1).map(b64),
    algorithm,
    documents,
    fieldValues: Object.fromEntries(values),
    ...(input.remote ? { remote: input.remote } : {}),
    version: 1,
  };
  await ext.sessions.create(session);
  await deps.audit.append(grant.tenantId, grant.envelopeId, {
    at: now.toISOString(),
    action: 'recipient.signature_prepared',
    actor: { type: 'recipient', id: recipient.id, email: recipient.email },
    ...meta,
    data: {
      sessionId,
      method: input.method,
      certificate: certificateSummary(certificate),
      revocation,
      documents: documents.map((d) => ({
        id: d.documentId,
        baseSha256: d.baseSha256,
        signedAttributesSha256: toHex(sha256(Buffer.from(d.signedAttributes, 'base64'))),
      })),
    },
  });
  return { session, documents: prepared };
};
