import { fixturePdf } from '../fixtures/fixtures.js';

/** One signature field on page 1 of the first document per recipient, placed by `place`. */
export const signatureFields = (n: number, place: (i: number) => { x: number; y: number; width: number; height: number }) =>
  Array.from({ length: n }, (_, i) => ({ recipient: i, document: 0, type: 'signature', page: 1, ...place(i) }));

/**
 * One envelope with `n` signers of the same signing order (all may sign at once), each with a
 * small signature box on page 1 of the A4 fixture: 5 across, up to 10 rows (50 signers).
 * Used by the integration test (test/integration/concurrency.test.ts) and `npm run bench`.
 */
export const manySignersEnvelope = (n: number, emailOf: (i: number) => string) => ({
  title: `Hợp đồng ${n} người ký`,
  documents: [{ name: 'hop-dong.pdf', contentBase64: Buffer.from(fixturePdf('hop-dong-lao-dong.pdf')).toString('base64') }],
  recipients: Array.from({ length: n }, (_, i) => ({ name: `Người ký số ${i + 1}`, email: emailOf(i), role: 'signer', order: 1 })),
  fields: signatureFields(n, (i) => ({ x: 30 + (i % 5) * 110, y: 60 + Math.floor(i / 5) * 72, width: 100, height: 40 })),
});

/** Nearest-rank percentile. */
export const percentileOf = (xs: readonly number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? 0;
};
