import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import { plainAddPlaceholder } from '@signpdf/placeholder-plain';
import { P12Signer } from '@signpdf/signer-p12';
import { SignPdf } from '@signpdf/signpdf';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { addSignatureRevision } from '../../shared/pdf/sign-revision.js';
import { contentsSizeFor, signCadesDetached, type Timestamper } from '../../shared/pki/cms.js';
import { createTimestampToken } from '../../shared/pki/timestamp.js';
import { fixturePdf } from '../fixtures/fixtures.js';
import { createTestPki } from '../support/test-pki.js';
import { atMost, median, report } from './targets.js';

/**
 * The signing engine in process (issue 16): PDF + CMS work per signature, B-B, ECDSA P-256
 * software key, median of 15 after warm-up, against @signpdf/signpdf in the same run; the
 * k-th signature against the 1st (time and bytes allocated); bytes a B-T revision adds.
 */

type Pki = Awaited<ReturnType<typeof createTestPki>>;

export const makeTestPdf = async (pages: number, useObjectStreams = false): Promise<Uint8Array> => {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (let i = 0; i < pages; i++) {
    const page = doc.addPage([595, 842]);
    for (let l = 0; l < 40; l++) page.drawText(`Page ${i + 1}, line ${l + 1}: contract text`, { x: 60, y: 780 - l * 18, size: 11, font });
  }
  return doc.save({ useObjectStreams });
};

let gcCount = 0;
new PerformanceObserver((list) => {
  gcCount += list.getEntries().length;
}).observe({ entryTypes: ['gc'] });
const tick = () => new Promise((r) => setImmediate(r));

/**
 * Bytes allocated by one call: heap + array buffers after minus before, kept only when no
 * garbage collection ran in between (GC entries arrive on the next tick); up to 20 tries.
 */
const allocatedBy = async (fn: () => Promise<unknown>): Promise<number | undefined> => {
  for (let i = 0; i < 20; i++) {
    await tick();
    const gcBefore = gcCount;
    const before = process.memoryUsage();
    await fn();
    const after = process.memoryUsage();
    await tick();
    if (gcCount === gcBefore) return after.heapUsed - before.heapUsed + (after.arrayBuffers - before.arrayBuffers);
  }
  return undefined;
};

export const signer = (pki: Pki, cert: Uint8Array, timestamper?: Timestamper) => {
  return (pdf: Uint8Array, i: number) =>
    addSignatureRevision({
      pdf,
      fieldName: `kyso-signature-${i}`,
      widget: { page: 1, x: 40 + (i % 2) * 260, y: 40 + (i % 10) * 70, width: 200, height: 60 },
      signerName: 'Nguyễn Văn An',
      detail: 'an.nguyen@example.vn',
      signedAt: new Date(),
      reason: 'Ký hợp đồng điện tử / Electronic contract signature',
      location: 'Việt Nam',
      contentsSize: contentsSizeFor({ signerCertificate: cert, chain: [pki.ca, pki.root] }, Boolean(timestamper)),
      sign: (d) => signCadesDetached({ contentDigest: d, signerCertificate: cert, chain: [pki.ca, pki.root] }, pki.signerKey, timestamper),
    });
};

const timeOf = async (fn: () => Promise<unknown>, runs: number, warmup = 3): Promise<number[]> => {
  for (let i = 0; i < warmup; i++) await fn();
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    out.push(performance.now() - t);
  }
  return out;
};

/** @signpdf/signpdf as its README uses it: plain placeholder (incremental) + a P12 signer (RSA 2048, node-forge). */
const signpdfRunner = () => {
  const dir = mkdtempSync(join(tmpdir(), 'kyso-bench-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-subj',
        '/CN=signpdf bench',
        '-days',
        '2',
        '-keyout',
        join(dir, 'k.pem'),
        '-out',
        join(dir, 'c.pem'),
      ],
      { stdio: 'ignore' },
    );
    execFileSync(
      'openssl',
      [
        'pkcs12',
        '-export',
        '-inkey',
        join(dir, 'k.pem'),
        '-in',
        join(dir, 'c.pem'),
        '-out',
        join(dir, 'b.p12'),
        '-passout',
        'pass:',
        '-certpbe',
        'PBE-SHA1-3DES',
        '-keypbe',
        'PBE-SHA1-3DES',
        '-macalg',
        'sha1',
      ],
      { stdio: 'ignore' },
    );
    const p12 = readFileSync(join(dir, 'b.p12'));
    return async (pdf: Uint8Array) => {
      // One P12Signer per signature: an instance reads its PKCS#12 buffer once and fails on
      // the second sign() ("Too few bytes to parse DER"), so a request-scoped signer is how it is used.
      const p12Signer = new P12Signer(p12);
      const withPlaceholder = plainAddPlaceholder({
        pdfBuffer: Buffer.from(pdf),
        reason: 'bench',
        contactInfo: 'bench@example.vn',
        name: 'Nguyen Van An',
        location: 'Viet Nam',
        signatureLength: 8192,
      });
      return new SignPdf().sign(withPlaceholder, p12Signer);
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

export const engineBench = async (): Promise<void> => {
  console.log('\nSigning engine, in process (B-B, ECDSA P-256 software key, visible stamp; median of 15 after 3 warm-up)');
  const pki = await createTestPki('ECC_NIST_P256');
  const cert = await pki.issueSigner('Nguyễn Văn An');
  const sign = signer(pki, cert);
  const runSignpdf = signpdfRunner();
  const files: [string, Uint8Array][] = [
    ['41 KB contract (xref table)', fixturePdf('hop-dong-lao-dong.pdf')],
    ['120-page file (xref table)', await makeTestPdf(120)],
    ['contract with xref stream + object streams', fixturePdf('hop-dong-lao-dong.objstm.pdf')],
  ];
  for (const [label, pdf] of files) {
    const cpu0 = process.cpuUsage();
    const kyso = median(await timeOf(() => sign(pdf, 0), 15, 3));
    const cpu = process.cpuUsage(cpu0);
    console.log(
      `         (${label}: CPU time per signature ${((cpu.user + cpu.system) / 1000 / 18).toFixed(2)} ms, this process, mean of 18)`,
    );
    let theirs: number | undefined;
    let failure = '';
    try {
      theirs = median(await timeOf(() => runSignpdf(pdf), 15));
    } catch (e) {
      failure = (e as Error).message.slice(0, 80);
    }
    const kb = (pdf.length / 1024).toFixed(0);
    if (!label.includes('object streams')) atMost(`PDF + CMS per signature, ${label}, ${kb} KB (p50)`, kyso, 3, 'ms', 2);
    else report(`PDF + CMS per signature, ${label}, ${kb} KB (p50)`, `${kyso.toFixed(2)} ms`, 'info', undefined);
    if (theirs !== undefined) {
      atMost(`  Kyso / @signpdf/signpdf (${theirs.toFixed(1)} ms), ${label}`, kyso / theirs, 0.1, '×', 3);
    } else {
      report(`  @signpdf/signpdf on ${label}`, 'fails', 'said', undefined);
      console.log(`         @signpdf/signpdf: ${failure}`);
    }
  }

  // The k-th signature appended to one document, against the 1st: median of 7 signings of the
  // document that already has k-1 signatures; allocation = bytes allocated by one signing.
  const chain: Uint8Array[] = [fixturePdf('hop-dong-lao-dong.pdf')];
  for (let i = 0; i < 49; i++) chain.push((await sign(chain[i] as Uint8Array, i)).pdf);
  const at = async (k: number) => {
    const base = chain[k - 1] as Uint8Array;
    const ms = median(await timeOf(() => sign(base, k), 7, 2));
    const allocs: number[] = [];
    for (let i = 0; i < 5; i++) {
      const a = await allocatedBy(() => sign(base, k));
      if (a !== undefined) allocs.push(a);
    }
    return { ms, bytes: allocs.length ? median(allocs) : Number.NaN };
  };
  const first = await at(1);
  const tenth = await at(10);
  const fiftieth = await at(50);
  const mb = (b: number) => (b / 1048576).toFixed(2);
  console.log(
    `  k-th signature on the contract: 1st ${first.ms.toFixed(2)} ms / ${mb(first.bytes)} MB allocated, ` +
      `10th ${tenth.ms.toFixed(2)} ms / ${mb(tenth.bytes)} MB, 50th ${fiftieth.ms.toFixed(2)} ms / ${mb(fiftieth.bytes)} MB ` +
      `(file ${((chain[49] as Uint8Array).length / 1024).toFixed(0)} KB after 49)`,
  );
  atMost('10th signature / 1st, time', tenth.ms / first.ms, 1.2, '×', 2);
  atMost('10th signature / 1st, memory allocated', tenth.bytes / first.bytes, 1.2, '×', 2);
  atMost('50th signature / 1st, time', fiftieth.ms / first.ms, 1.5, '×', 2);
  atMost('50th signature / 1st, memory allocated', fiftieth.bytes / first.bytes, 1.5, '×', 2);

  // Bytes per revision at B-T (certificates + signature timestamp inside the CMS).
  const clock = { now: () => new Date() };
  const timestamper: Timestamper = (digest) => createTimestampToken({ digest, tsa: pki.tsa, clock });
  const signBT = signer(pki, cert, timestamper);
  let pdf = fixturePdf('hop-dong-lao-dong.pdf');
  const sizes: number[] = [];
  for (let i = 0; i < 5; i++) {
    const next = (await signBT(pdf, i)).pdf;
    sizes.push(next.length - pdf.length);
    pdf = next;
  }
  console.log(`  B-T revisions on the 41 KB contract add ${sizes.map((s) => `${(s / 1024).toFixed(1)} KB`).join(', ')}`);
  atMost('bytes a B-T signature revision adds (largest of 5)', Math.max(...sizes) / 1024, 16, 'KB');
};
