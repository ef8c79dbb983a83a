import { describe, expect, it } from 'vitest';
import { renderCompletionCertificate } from '../../../shared/completion/render-certificate.js';
import type { AuditEvent, Envelope } from '../../../shared/envelope/types.js';
import { pdfToText, qpdfCheck } from '../../support/validators.js';

const envelope = (name: string, title = 'Hợp đồng lao động số 12/2026') =>
  ({
    id: 'env_abc123',
    tenantId: 't',
    title,
    status: 'completed',
    language: 'vi',
    createdAt: '2026-12-01T03:00:00Z',
    sentAt: '2026-12-01T03:01:00Z',
    completedAt: '2026-12-01T04:00:00Z',
    version: 9,
    documents: [
      { id: 'd1', name: 'hop-dong.pdf', key: 'k', sha256: 'a'.repeat(64), originalSha256: 'b'.repeat(64), pageCount: 2, revisions: 4 },
    ],
    recipients: [
      { id: 'r1', name, email: 'an@example.vn', role: 'signer', order: 1, status: 'signed', signedAt: '2026-12-01T03:30:00Z' },
      { id: 'r2', name: 'Công ty TNHH Thử Nghiệm', email: 'hr@example.vn', role: 'signer', order: 2, status: 'signed' },
    ],
    fields: [],
  }) as unknown as Envelope;

const events = Array.from({ length: 40 }, (_, i) => ({
  seq: i + 1,
  at: '2026-12-01T03:00:00Z',
  action: ['envelope.created', 'envelope.sent', 'recipient.notified', 'recipient.viewed', 'recipient.signed'][i % 5],
  actor: { type: 'recipient', id: 'r1', email: 'an@example.vn' },
  ip: '203.113.1.1',
  userAgent: 'Mozilla/5.0 (Linux; Android 13) Chrome/120',
  hash: 'c'.repeat(64),
})) as unknown as AuditEvent[];

const render = (e: Envelope) =>
  renderCompletionCertificate({
    envelope: e,
    events,
    senderName: 'Công ty TNHH Thử Nghiệm',
    verifyUrl: 'https://kyso.vn/verify?envelope=env_abc123',
    generatedAt: new Date('2026-12-01T04:00:01Z'),
  });

/** Font names the PDF's font dictionaries carry (/BaseFont). */
const baseFonts = (pdf: Uint8Array) =>
  [
    ...new Set(
      [
        ...Buffer.from(pdf)
          .toString('latin1')
          .matchAll(/\/BaseFont\s*\/([A-Za-z0-9+-]+)/g),
      ].map((m) => m[1]),
    ),
  ].sort();

describe('certificate of completion, rendered', () => {
  it('prints Vietnamese with the fixed faces: no per-document subset, every word extractable, qpdf-clean, over pages', async () => {
    const { pdf, sealRect } = await render(envelope('Nguyễn Văn Ánh'));
    expect(baseFonts(pdf)).toEqual(['KYSOVA+DejaVuSans', 'KYSOVB+DejaVuSans-Bold']);
    const text = pdfToText(pdf);
    for (const s of [
      'CHỨNG NHẬN HOÀN TẤT',
      'Nguyễn Văn Ánh',
      'Công ty TNHH Thử Nghiệm',
      'Hợp đồng lao động số 12/2026',
      'Ký / Signed',
      'Kyso · env_abc123 — 1',
    ]) {
      expect(text).toContain(s);
    }
    expect(text.replace(/ /g, '')).toContain('b'.repeat(64));
    expect(qpdfCheck(pdf).ok).toBe(true);
    expect(sealRect.page).toBeGreaterThan(1);
  });

  it('prints text given decomposed (NFD) as the precomposed letters', async () => {
    const { pdf } = await render(envelope('Nguyễn Văn Ánh'.normalize('NFD')));
    expect(baseFonts(pdf)).toEqual(['KYSOVA+DejaVuSans', 'KYSOVB+DejaVuSans-Bold']);
    expect(pdfToText(pdf)).toContain('Nguyễn Văn Ánh');
  });

  it('falls back to per-document subsets for a character outside the fixed set (Polish), and prints it', async () => {
    const { pdf } = await render(envelope('Łukasz Ćwikła'));
    const fonts = baseFonts(pdf);
    expect(fonts.some((f) => f?.startsWith('KYSOV'))).toBe(false);
    expect(fonts.length).toBe(2);
    expect(pdfToText(pdf)).toContain('Łukasz Ćwikła');
    expect(qpdfCheck(pdf).ok).toBe(true);
  });
});
