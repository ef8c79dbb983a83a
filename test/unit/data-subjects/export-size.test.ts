import { describe, expect, it } from 'vitest';
import { effectiveExportLimits, exportSize, isLargeExport } from '../../../shared/data-subjects/export-size.js';
import type { SubjectMatch } from '../../../shared/data-subjects/find-subject.js';
import type { Envelope, Recipient } from '../../../shared/envelope/types.js';

const doc = (id: string) => ({ id, name: `${id}.pdf`, originalSha256: 'a', sha256: 'b', key: `k/${id}`, pageCount: 1, revisions: 2 });
const match = (status: string, documents: number, signed: boolean): SubjectMatch => {
  const recipient = { id: 'r1', email: 'an@example.vn', ...(signed ? { signedAt: '2026-12-01T00:00:00Z' } : {}) } as unknown as Recipient;
  return {
    envelope: { id: `e-${status}`, status, documents: Array.from({ length: documents }, (_, i) => doc(`d${i}`)) } as unknown as Envelope,
    recipients: [recipient],
  };
};

describe('export size: judged from the envelope records alone', () => {
  it('counts the envelopes about the person and only the documents they signed', () => {
    expect(exportSize([])).toEqual({ envelopes: 0, documents: 0 });
    expect(
      exportSize([
        match('completed', 2, true), // both documents
        match('sent', 3, false), // not signed yet: none
        match('sent', 1, true), // signed, others still to sign: its document
        match('voided', 4, false), // never signed: none
      ]),
    ).toEqual({ envelopes: 4, documents: 3 });
  });
});

describe('export limits and the sync/async decision', () => {
  const deployment = { envelopes: 20, documents: 40 };

  it('keeps the deployment limits unless the request lowers them, and never raises them', () => {
    expect(effectiveExportLimits(deployment)).toEqual(deployment);
    expect(effectiveExportLimits(deployment, {})).toEqual(deployment);
    expect(effectiveExportLimits(deployment, { documents: 1 })).toEqual({ envelopes: 20, documents: 1 });
    expect(effectiveExportLimits(deployment, { envelopes: 0, documents: 0 })).toEqual({ envelopes: 0, documents: 0 });
    expect(effectiveExportLimits(deployment, { envelopes: 1_000, documents: 1_000 })).toEqual(deployment);
  });

  it.each([
    ['nothing found', { envelopes: 0, documents: 0 }, false],
    ['exactly at both limits', { envelopes: 20, documents: 40 }, false],
    ['one envelope over', { envelopes: 21, documents: 0 }, true],
    ['one document over', { envelopes: 1, documents: 41 }, true],
  ])('%s → %s', (_what, size, large) => {
    expect(isLargeExport(size, deployment)).toBe(large);
  });

  it('with zero limits anything with an envelope is a job; an empty export stays synchronous', () => {
    const zero = effectiveExportLimits(deployment, { envelopes: 0 });
    expect(isLargeExport({ envelopes: 1, documents: 0 }, zero)).toBe(true);
    expect(isLargeExport({ envelopes: 0, documents: 0 }, zero)).toBe(false);
  });
});
