import { PDFDict, PDFDocument, PDFName, PDFRef } from 'pdf-lib';
import { assertPdfWithinLimits } from '../pdf/pdf-limits.js';
import { loadPdf } from '../pdf/pdf-structure.js';
import { OID } from '../pki/oids.js';
import { toHex } from '../util/bytes.js';
import { SEQUENCE, UNIVERSAL } from './ber.js';
import { createCertificatePool } from './build-certificate-path.js';
import { clearOcspCache } from './check-ocsp.js';
import { determineLevels } from './determine-level.js';
import { type FastDocument, FastPathUnavailable, loadFastDocument } from './fast-document.js';
import { fetchMissingCrls } from './fetch-missing-crls.js';
import { createModificationFinder, type Modifications, parsedRevisionView } from './find-modifications.js';
import type { CrlFetcher } from './ports.js';
import { createRangeDigests } from './range-digests.js';
import type { CmsSignedData } from './read-cms.js';
import { readDss } from './read-dss.js';
import { indexObjectHeaders, type RevisionView, readRevision } from './read-revision.js';
import { readSignatures, type SignatureEntry } from './read-signatures.js';
import type { SignatureReport, VerificationReport } from './types.js';
import type { VerifyContext } from './verify-context.js';
import { verifyDocumentTimestamp } from './verify-document-timestamp.js';
import { verifySignature } from './verify-signature.js';
import { clearSignedDataCache, signedDataOf } from './verify-signed-data.js';

export interface VerifyPdfOptions {
  /** Trust anchors, DER: the platform root plus configured roots (deployment, tenant). */
  readonly trustAnchors: readonly Uint8Array[];
  readonly now: Date;
  /** The platform root (also among the anchors): signatures under it are the platform tier. */
  readonly platformRoot?: Uint8Array;
  /** Online revocation: fetch the CRLs the file's certificates name (off when absent). */
  readonly fetchCrl?: CrlFetcher;
  /** Skip the fast path (fast-document.ts) and judge on pdf-lib's full parse: tests compare the two. */
  readonly fullParse?: boolean;
}

/** Adobe's revocation archival signed attribute: { [0] CRLs, [1] OCSP responses } (PDF signers other than ours use it). */
const ADBE_REVOCATION = '1.2.840.113583.1.1.8';

const archivedRevocation = (sd: CmsSignedData, crls: Uint8Array[], ocsps: Uint8Array[]) => {
  const value = sd.signerInfos[0]?.signedAttrs?.attributes.find((a) => a.type === ADBE_REVOCATION)?.values[0];
  if (!value?.is(UNIVERSAL, SEQUENCE)) return;
  for (const tagged of value.children()) {
    const list = tagged.constructed ? tagged.children()[0] : undefined;
    if (!list?.is(UNIVERSAL, SEQUENCE)) continue;
    const into = tagged.tag === 0 ? crls : tagged.tag === 1 ? ocsps : undefined;
    for (const item of list.children()) into?.push(item.encoded);
  }
};

/** Certificates, CRLs and OCSP responses carried by a signature's CMS and by its signature timestamp. */
const embeddedMaterial = (entry: SignatureEntry): { certs: Uint8Array[]; crls: Uint8Array[]; ocsps: Uint8Array[] } => {
  const certs: Uint8Array[] = [];
  const crls: Uint8Array[] = [];
  const ocsps: Uint8Array[] = [];
  try {
    const sd = signedDataOf(entry.cms);
    certs.push(...sd.certificates);
    crls.push(...sd.crls);
    archivedRevocation(sd, crls, ocsps);
    for (const attr of sd.signerInfos[0]?.unsignedAttrs ?? []) {
      if (attr.type !== OID.signatureTimeStamp || !attr.values[0]) continue;
      certs.push(...signedDataOf(attr.values[0].encoded).certificates);
    }
  } catch {
    // an unreadable CMS is reported by the signature check itself
  }
  return { certs, crls, ocsps };
};

/** Whether the catalog of an earlier revision (the cheap view) has a DSS dictionary; anything unusual goes to the full parse. */
const dssInView = (view: RevisionView | undefined): boolean => {
  if (view?.rootObjectNumber === undefined) throw new FastPathUnavailable('revision without a catalog');
  const catalog = view.lookup(PDFRef.of(view.rootObjectNumber));
  if (!(catalog instanceof PDFDict)) throw new FastPathUnavailable('revision without a catalog');
  const dss = catalog.get(PDFName.of('DSS'));
  const value = dss instanceof PDFRef ? view.lookup(dss) : dss;
  if (value === undefined) return false;
  if (value instanceof PDFDict) return true;
  throw new FastPathUnavailable('DSS is not a dictionary');
};

const countRevisions = (bytes: Uint8Array): number => {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let n = 0;
  for (let at = buf.indexOf('%%EOF'); at >= 0; at = buf.indexOf('%%EOF', at + 5)) n++;
  return n || 1;
};

/**
 * Verifies every signature of a PDF (approval, certification, document timestamp) and gives a
 * verdict per signature and overall. Throws AppError (invalid_pdf, encrypted_pdf,
 * empty_document) for input that is not a readable, unencrypted PDF.
 */
export const verifyPdf = async (bytes: Uint8Array, options: VerifyPdfOptions): Promise<VerificationReport> => {
  // Parses are shared within one verification only (a concurrent one merely re-parses).
  clearSignedDataCache();
  clearOcspCache();
  // Limits before work (shared/pdf/pdf-limits.ts): anyone may post here, anonymously.
  const scan = await assertPdfWithinLimits(bytes);
  // A CRL is fetched once even if the fast path gives up half-way.
  const fetched = new Map<string, Promise<Uint8Array | undefined>>();
  const fetchCrl = options.fetchCrl;
  const opts: VerifyPdfOptions = fetchCrl
    ? {
        ...options,
        fetchCrl: (url) => {
          let p = fetched.get(url);
          if (!p) {
            p = fetchCrl(url);
            fetched.set(url, p);
          }
          return p;
        },
      }
    : options;
  const fast = options.fullParse ? undefined : loadFastDocument(bytes);
  if (fast) {
    try {
      const report = await verifyLoaded(bytes, opts, scan, fast);
      // The fast path only confirms. An invalid or unsigned file is judged on the full parse, as
      // before: there, a damaged object that nothing looked up still makes the file unreadable (422).
      if (!fast.failed && report.verdict !== 'invalid' && report.signatures.length) return report;
    } catch {
      // the full parse below decides (the same file, the same checks)
    }
  }
  return verifyLoaded(bytes, opts, scan, undefined);
};

const verifyLoaded = async (
  bytes: Uint8Array,
  options: VerifyPdfOptions,
  scan: Awaited<ReturnType<typeof assertPdfWithinLimits>>,
  fast: FastDocument | undefined,
): Promise<VerificationReport> => {
  const doc = fast ? fast.doc : (await loadPdf(bytes)).doc;
  if (fast && doc.getPageCount() < 1) throw new FastPathUnavailable('no pages');
  const entries = readSignatures(doc, fast?.signatureCandidates());
  const dss = readDss(doc);
  const material = entries.map(embeddedMaterial);
  const pool = createCertificatePool(options.trustAnchors, [...dss.certificates, ...material.flatMap((m) => m.certs)]);
  const revisions = new Map<number, Promise<PDFDocument | undefined>>();
  const revisionAt = (end: number) => {
    let p = revisions.get(end);
    if (!p) {
      p =
        end >= bytes.length
          ? Promise.resolve(doc)
          : PDFDocument.load(bytes.subarray(0, end), { ignoreEncryption: true, updateMetadata: false }).catch(() => undefined);
      revisions.set(end, p);
    }
    return p;
  };
  const mods = new Map<number, Promise<Modifications>>();
  let finder: ReturnType<typeof createModificationFinder> | undefined;
  let headers: ReturnType<typeof indexObjectHeaders> | undefined = fast?.headers;
  const cheapView = (end: number) => {
    headers ??= indexObjectHeaders(bytes);
    try {
      return readRevision(headers, bytes, end, doc.context);
    } catch (e) {
      if (e instanceof FastPathUnavailable) throw e;
      return undefined;
    }
  };
  const viewOf = async (end: number) => {
    const cheap = cheapView(end);
    if (cheap) return cheap;
    // The whole-prefix view compares every object: the fast path does not enumerate them.
    if (fast) throw new FastPathUnavailable('the signed revision needs a full parse');
    const signed = await revisionAt(end);
    return signed ? parsedRevisionView(signed) : undefined;
  };
  const objectsFor = fast
    ? (view: RevisionView) => {
        if (!view.candidates) throw new FastPathUnavailable('no candidate objects');
        return fast.objectsNumbered(view.candidates);
      }
    : undefined;
  const digests = createRangeDigests(bytes);
  const ctx: VerifyContext = {
    bytes,
    doc,
    pool,
    digests,
    revocation: {
      dssCrls: dss.crls,
      cmsCrls: material.flatMap((m) => m.crls),
      ...(options.fetchCrl ? { onlineCrls: await fetchMissingCrls(pool.others.values(), options.fetchCrl) } : {}),
      dssOcsps: dss.ocsps,
      cmsOcsps: material.flatMap((m) => m.ocsps),
    },
    now: options.now,
    ...(options.platformRoot ? { platformRoot: options.platformRoot } : {}),
    modificationsAfter(end) {
      let m = mods.get(end);
      if (!m) {
        m = viewOf(end).then((view) => {
          finder ??= createModificationFinder(doc, objectsFor);
          return view ? finder(view) : { allowed: [], disallowed: ['the signed revision cannot be parsed on its own'] };
        });
        mods.set(end, m);
      }
      return m;
    },
    async hasDssAt(end) {
      if (fast && end < bytes.length) return dssInView(cheapView(end));
      const revision = await revisionAt(end);
      return !!revision && readDss(revision).present;
    },
  };
  const reports: SignatureReport[] = [];
  for (const [i, entry] of entries.entries()) {
    reports.push(
      entry.kind === 'document-timestamp' ? await verifyDocumentTimestamp(ctx, entry, i + 1) : await verifySignature(ctx, entry, i + 1),
    );
  }
  const withLevels = await determineLevels(ctx, reports);
  const reasons = [...new Set(withLevels.flatMap((s) => s.reasons))];
  const verdict = !withLevels.length
    ? 'indeterminate'
    : withLevels.some((s) => s.verdict === 'invalid')
      ? 'invalid'
      : withLevels.some((s) => s.verdict === 'indeterminate')
        ? 'indeterminate'
        : 'valid';
  const order = ['B-B', 'B-T', 'B-LT', 'B-LTA'] as const;
  const approvalLevels = withLevels.filter((s) => s.kind !== 'document-timestamp').map((s) => (s.level ? order.indexOf(s.level) : -1));
  const lowest = approvalLevels.length ? Math.min(...approvalLevels) : -1;
  return {
    sha256: toHex(digests.whole('sha256')),
    size: bytes.length,
    pages: doc.getPageCount(),
    revisions: countRevisions(bytes),
    checkedAt: options.now.toISOString(),
    verdict,
    reasons: withLevels.length ? reasons : ['no_signatures'],
    ...(lowest >= 0 ? { level: order[lowest] } : {}),
    signatures: withLevels,
    // Kyso refuses uploads with active content, so this flags files it did not produce.
    ...(scan.activeContent.length ? { activeContent: scan.activeContent } : {}),
    ...documentTimestampChain(withLevels),
  };
};

const documentTimestampChain = (signatures: readonly SignatureReport[]) => {
  const chain = signatures
    .filter((s) => s.kind === 'document-timestamp')
    .map((s) => ({
      index: s.index,
      ...(s.timestamp?.time ? { time: s.timestamp.time } : {}),
      ...(s.certificate ? { tsa: s.certificate.subject, tsaCertificateNotAfter: s.certificate.notAfter } : {}),
      verdict: s.verdict,
      revisionEnd: s.coverage.revisionEnd,
    }));
  return chain.length ? { documentTimestamps: chain } : {};
};
