import { describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/errors.js';
import { verifyPdf } from '../../../shared/verify/verify-pdf.js';
import { signedDocument } from './documents.js';

/** Deterministic pseudo-random positions (mulberry32), so a failure can be replayed. */
const random = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

describe('damaged signed files never crash the verifier', () => {
  it('48 copies with bytes damaged anywhere (signature dictionaries, CMS, xref, trailer): a report or a 4xx AppError', async () => {
    const { pki, pdf } = await signedDocument({ signers: 2 });
    const next = random(42);
    const text = Buffer.from(pdf).toString('latin1');
    // aim half of the damage at the interesting places
    const hot = [...text.matchAll(/\/ByteRange|\/Contents\s*<|startxref|\/Prev|\/DSS|\/Annots/g)].map((m) => m.index ?? 0);
    let reports = 0;
    let rejected = 0;
    for (let i = 0; i < 48; i++) {
      const copy = Uint8Array.from(pdf);
      const base = i % 2 ? Math.floor(next() * pdf.length) : (hot[Math.floor(next() * hot.length)] ?? 0) + Math.floor(next() * 64);
      for (let k = 0; k < 1 + (i % 4); k++) copy[Math.min(pdf.length - 1, base + k)] = Math.floor(next() * 256);
      try {
        const report = await verifyPdf(copy, { trustAnchors: [pki.root], now: new Date() });
        expect(['valid', 'invalid', 'indeterminate']).toContain(report.verdict);
        reports++;
      } catch (e) {
        if (!(e instanceof AppError) || e.status >= 500) throw new Error(`copy ${i} (offset ${base}): ${(e as Error).stack}`);
        rejected++;
      }
    }
    expect(reports + rejected).toBe(48);
  }, 120_000);
});
