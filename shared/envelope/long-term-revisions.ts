import { addLtvRevision, embeddedCertificates } from '../pdf/ltv-revision.js';
import type { Timestamper } from '../pki/cms.js';
import { externalCrls } from '../pki/external-crls.js';
import type { PlatformPki } from '../pki/platform-pki.js';
import { sha256Hex } from '../util/bytes.js';
import { Timer } from '../util/timer.js';
import { documentKey } from './create-envelope.js';
import type { EnvelopeDeps } from './deps.js';
import { timestamperFor } from './timestamper-for.js';
import type { Envelope, EnvelopeDocument } from './types.js';

/**
 * Completion, whoever completes the envelope (the last signer or the last approver): for
 * every document one more revision with a DSS holding every certificate and CRL needed to
 * validate its signatures later (B-LT), and a document timestamp over the whole file (B-LTA).
 */
export const addLongTermRevisions = async (
  deps: EnvelopeDeps,
  envelope: Pick<Envelope, 'id' | 'tenantId'>,
  documents: readonly EnvelopeDocument[],
  options: {
    pki?: PlatformPki;
    timestamper?: Timestamper;
    timer?: Timer;
    /** A renewal's timestamp field name per document (issue 17); the first one is kyso-document-timestamp. */
    fieldName?: (doc: EnvelopeDocument) => string;
  } = {},
): Promise<EnvelopeDocument[]> => {
  const timer = options.timer ?? new Timer();
  const pki = options.pki ?? (await deps.pki());
  const timestamper = options.timestamper ?? (await timestamperFor(deps, pki, envelope.tenantId));
  const platformCrls = await timer.time('kms', async () => [await pki.crl('root-ca'), await pki.crl('issuing-ca')]);
  const out: EnvelopeDocument[] = [];
  for (const doc of documents) {
    const pdf = await timer.time('s3', () => deps.documents.get(doc.key));
    const started = performance.now();
    const certificates = await embeddedCertificates(pdf);
    // Certificates from other CAs (own-certificate signers, external TSAs): their CRLs too, when online fetching is on.
    const fetched = deps.crlFetcher ? await externalCrls(certificates, [pki.rootCertificate, pki.issuingCertificate], deps.crlFetcher) : [];
    const fieldName = options.fieldName?.(doc);
    const lta = await addLtvRevision({
      pdf,
      certificates,
      crls: [...platformCrls, ...fetched],
      timestamper,
      ...(fieldName ? { fieldName } : {}),
    });
    timer.add('pdf', performance.now() - started);
    const sha256 = sha256Hex(lta);
    const key = documentKey(envelope.tenantId, envelope.id, doc.id, sha256);
    await timer.time('s3', () => deps.documents.put(key, lta));
    out.push({ ...doc, sha256, key, revisions: doc.revisions + 1 });
  }
  return out;
};
