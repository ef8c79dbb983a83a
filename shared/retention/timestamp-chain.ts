import { loadPdf } from '../pdf/pdf-structure.js';
import { parseCertificate } from '../pki/certificate.js';
import { parseTimestampToken } from '../pki/timestamp-parse.js';
import { readSignatures } from '../verify/read-signatures.js';

/** One document timestamp of a file, oldest first. */
export interface DocumentTimestamp {
  readonly fieldName?: string;
  readonly genTime: Date;
  /** Earliest notAfter of the certificates the token carries (the TSA's and its CAs'). */
  readonly expiresAt: Date;
  /** End of the revision it covers (ByteRange end). */
  readonly revisionEnd: number;
}

/**
 * The chain of document timestamps of a PDF (B-LTA renewals add one each). The last one is
 * what keeps the file provable: once a certificate it relies on expires, a new timestamp must
 * already cover it.
 */
export const documentTimestamps = async (pdf: Uint8Array): Promise<DocumentTimestamp[]> => {
  const { doc } = await loadPdf(pdf);
  const out: DocumentTimestamp[] = [];
  for (const sig of readSignatures(doc)) {
    if (sig.kind !== 'document-timestamp') continue;
    try {
      const token = parseTimestampToken(sig.cms);
      const notAfters = token.certificates.map((c) => parseCertificate(c).notAfter.value.getTime());
      if (notAfters.length === 0) continue;
      out.push({
        ...(sig.fieldName ? { fieldName: sig.fieldName } : {}),
        genTime: token.genTime,
        expiresAt: new Date(Math.min(...notAfters)),
        revisionEnd: (sig.byteRange[2] ?? 0) + (sig.byteRange[3] ?? 0),
      });
    } catch {
      // not a readable token: it keeps nothing alive, so it does not count
    }
  }
  return out.sort((a, b) => a.revisionEnd - b.revisionEnd);
};

/** When the documents stop being provable without a renewal: the earliest expiry of their last document timestamps. */
export const renewBy = async (pdfs: readonly Uint8Array[]): Promise<Date | undefined> => {
  let earliest: Date | undefined;
  for (const pdf of pdfs) {
    const last = (await documentTimestamps(pdf)).at(-1);
    if (last && (!earliest || last.expiresAt < earliest)) earliest = last.expiresAt;
  }
  return earliest;
};
