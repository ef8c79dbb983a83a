import { describe, expect, it } from 'vitest';
import { matchesEnvelope } from '../../../shared/envelope/search-envelopes.js';
import type { Envelope } from '../../../shared/envelope/types.js';

const envelope = {
  title: 'Hợp đồng lao động 2026',
  status: 'sent',
  recipients: [{ name: 'Trần Thị Bình', email: 'binh@example.vn' }],
} as unknown as Envelope;

describe('console envelope search', () => {
  it.each([
    [{}, true],
    [{ status: 'sent' as const }, true],
    [{ status: 'completed' as const }, false],
    [{ q: 'hop dong' }, true], // without diacritics
    [{ q: 'TRẦN thị' }, true],
    [{ q: 'binh@example' }, true],
    [{ q: 'đồng', status: 'sent' as const }, true],
    [{ q: 'nguyen' }, false],
  ])('%o → %s', (query, expected) => {
    expect(matchesEnvelope(envelope, query)).toBe(expected);
  });
});
