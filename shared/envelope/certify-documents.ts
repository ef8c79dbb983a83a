import { addCertificationRevision, type FieldSpec } from '../pdf/certify-revision.js';
import { contentsSizeFor, signCadesDetached } from '../pki/cms.js';
import type { PlatformPki, SignerCredentials } from '../pki/platform-pki.js';
import { sha256Hex } from '../util/bytes.js';
import type { Timer } from '../util/timer.js';
import { documentKey } from './create-envelope.js';
import type { EnvelopeDeps } from './deps.js';
import { timestamperFor, timestamperForTenant } from './timestamper-for.js';
import type { Envelope, EnvelopeDocument, Field, Tenant } from './types.js';

/** The AcroForm name of an envelope field: stable, so send-time creation and signing agree. */
export const pdfFieldName = (f: Pick<Field, 'type' | 'id' | 'recipientId'>): string =>
  f.type === 'signature' ? `kyso-signature-${f.recipientId}` : `kyso-${f.type}-${f.id}`;

/** One signature field per recipient and document; it locks that recipient's own form fields. */
export const fieldSpecs = (envelope: Envelope, documentId: string): FieldSpec[] => {
  const onDoc = envelope.fields.filter((f) => f.documentId === documentId);
  return onDoc.map((f) => ({
    name: pdfFieldName(f),
    type: f.type,
    rect: f,
    ...(f.type === 'signature'
      ? { lock: onDoc.filter((o) => o.recipientId === f.recipientId && o.type !== 'signature').map(pdfFieldName) }
      : {}),
  }));
};

/** How long one certification certificate serves a sender in this process (it is valid for 2 years). */
export const CERTIFICATION_CREDENTIALS_TTL_MS = 60 * 60_000;

const certifiers = new WeakMap<PlatformPki, Map<string, { issuedAt: number; credentials: Promise<SignerCredentials> }>>();

/**
 * The certification signature's credentials for a sender: the platform signing key with a
 * certificate naming the sender, issued (one KMS Sign by the issuing CA) once per hour and process
 * instead of once per envelope — a bulk send of 10,000 rows certified 10,000 times the same subject
 * with the same key. Issued again when the name changes, after the hour, or when the clock is
 * earlier than the issue (a certificate must not postdate the signature's time).
 */
export const certificationCredentials = (pki: PlatformPki, senderName: string, now: Date): Promise<SignerCredentials> => {
  const bySender = certifiers.get(pki) ?? new Map();
  certifiers.set(pki, bySender);
  const at = now.getTime();
  const known = bySender.get(senderName);
  if (known && at >= known.issuedAt && at - known.issuedAt < CERTIFICATION_CREDENTIALS_TTL_MS) return known.credentials;
  const credentials = pki.credentialsFor({ name: `${senderName} (qua Kyso / via Kyso)`, email: '', organization: senderName });
  bySender.set(senderName, { issuedAt: at, credentials });
  credentials.catch(() => bySender.delete(senderName));
  return credentials;
};

/**
 * At send: for every document, one revision that creates every recipient's fields and
 * certifies the document on behalf of the sender (DocMDP P=2), timestamped (B-T).
 * Documents that arrived already signed are left as they are (see addCertificationRevision).
 */
export const certifyDocuments = async (
  deps: EnvelopeDeps,
  envelope: Envelope,
  senderName: string,
  timer?: Timer,
  /** `tenant`: already read by the caller (its TSAs), so it is not read again. */
  options: { readonly tenant?: Pick<Tenant, 'tsaUrls'> } = {},
): Promise<EnvelopeDocument[]> => {
  const pki = await deps.pki();
  const credentials = await certificationCredentials(pki, senderName, deps.clock.now());
  const timestamper = options.tenant
    ? timestamperForTenant(deps, pki, envelope.tenantId, options.tenant)
    : await timestamperFor(deps, pki, envelope.tenantId);
  const out: EnvelopeDocument[] = [];
  for (const doc of envelope.documents) {
    const pdf = await deps.documents.get(doc.key);
    const result = await addCertificationRevision({
      pdf,
      fields: fieldSpecs(envelope, doc.id),
      signerName: senderName,
      signedAt: deps.clock.now(),
      reason: 'Chứng thực tài liệu trước khi ký / Document certified for signing',
      contentsSize: contentsSizeFor({ signerCertificate: credentials.certificate, chain: credentials.chain }, true),
      sign: (digest) =>
        signCadesDetached(
          { contentDigest: digest, signerCertificate: credentials.certificate, chain: credentials.chain },
          credentials.signer,
          timestamper,
        ),
    });
    if (!result) {
      out.push(doc);
      continue;
    }
    timer?.add('pdf', result.timings.pdfMs);
    timer?.add('kms', result.timings.signMs);
    const sha256 = sha256Hex(result.pdf);
    const key = documentKey(envelope.tenantId, envelope.id, doc.id, sha256);
    await deps.documents.put(key, result.pdf);
    out.push({ ...doc, sha256, key, revisions: doc.revisions + 1 });
  }
  return out;
};
