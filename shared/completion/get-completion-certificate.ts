import type { EnvelopeDeps } from '../envelope/deps.js';
import { timestamperFor } from '../envelope/timestamper-for.js';
import { getEnvelopeOrThrow } from '../envelope/update-envelope.js';
import { AppError } from '../errors.js';
import { addLtvRevision, embeddedCertificates } from '../pdf/ltv-revision.js';
import { addSignatureRevision } from '../pdf/sign-revision.js';
import { signCadesDetached } from '../pki/cms.js';
import { renderCompletionCertificate } from './render-certificate.js';

const FINAL = new Set(['completed', 'declined', 'voided', 'expired']);

/**
 * The sealed certificate of completion of an envelope in a final state. Rendered once per
 * audit-chain head and kept in S3 (written only if absent), so asking twice, even at once, returns the same bytes; sealed with the
 * platform key (B-T) and completed with DSS + document timestamp (B-LTA).
 */
export const getCompletionCertificate = async (deps: EnvelopeDeps, tenantId: string, envelopeId: string): Promise<Uint8Array> =>
  (await completionCertificate(deps, tenantId, envelopeId)).pdf;

/** The same, with the store key it is kept under (the archive locks it). */
export const completionCertificate = async (
  deps: EnvelopeDeps,
  tenantId: string,
  envelopeId: string,
): Promise<{ pdf: Uint8Array; key: string }> => {
  const envelope = await getEnvelopeOrThrow(deps, tenantId, envelopeId);
  if (!FINAL.has(envelope.status)) {
    throw new AppError('invalid_state', `The certificate of completion exists once the envelope is finished; it is ${envelope.status}.`);
  }
  const events = await deps.audit.list(tenantId, envelopeId);
  const head = events[events.length - 1]?.hash ?? 'empty';
  const key = `tenants/${tenantId}/envelopes/${envelopeId}/certificate/${head}.pdf`;
  try {
    return { pdf: await deps.documents.get(key), key };
  } catch (e) {
    if (!(e instanceof AppError && e.code === 'not_found')) throw e;
  }
  const tenant = await deps.tenants.get(tenantId);
  const now = deps.clock.now();
  const rendered = await renderCompletionCertificate({
    envelope,
    events,
    senderName: tenant?.name ?? 'Kyso',
    verifyUrl: `${deps.publicUrl}/verify?envelope=${encodeURIComponent(envelope.id)}`,
    generatedAt: now,
  });
  const pki = await deps.pki();
  const timestamper = await timestamperFor(deps, pki, tenantId);
  const credentials = await pki.credentialsFor({
    name: 'Kyso — Chứng nhận hoàn tất / Certificate of completion',
    email: '',
    organization: 'Kyso',
  });
  const sealed = await addSignatureRevision({
    pdf: rendered.pdf,
    fieldName: 'kyso-seal',
    widget: rendered.sealRect,
    signerName: 'Kyso',
    signedAt: now,
    locale: envelope.language ?? 'vi',
    reason: 'Niêm phong chứng nhận hoàn tất / Sealed certificate of completion',
    sign: (digest) =>
      signCadesDetached(
        { contentDigest: digest, signerCertificate: credentials.certificate, chain: credentials.chain },
        credentials.signer,
        timestamper,
      ),
  });
  const crls = [await pki.crl('root-ca'), await pki.crl('issuing-ca')];
  const pdf = await addLtvRevision({ pdf: sealed.pdf, certificates: await embeddedCertificates(sealed.pdf), crls, timestamper });
  // Two renderings at once (the archive effect and the retention sweep, or two downloads) make
  // different bytes (times, signatures): the first stored is the certificate, the other is dropped.
  if (!(await deps.documents.putNew(key, pdf))) return { pdf: await deps.documents.get(key), key };
  return { pdf, key };
};
