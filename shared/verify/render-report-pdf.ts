import { PDFDocument, type PDFFont, type PDFPage, rgb } from 'pdf-lib';
import { formatVietnamTime } from '../pdf/appearance.js';
import { loadUnicodeFont } from '../pdf/font.js';
import { loadFontkit } from '../pdf/load-fontkit.js';
import { KIND_TEXT, REPORT_TEXT, REVOCATION_TEXT, reasonText, VERDICT_TEXT } from './report-text.js';
import type { SignatureReport, VerificationReport } from './types.js';

const vi = REPORT_TEXT.vi;
const en = REPORT_TEXT.en;
type Key = keyof typeof vi;
/** "Vietnamese / English" for every label: one printable report for both readers. */
const both = (k: Key) => `${vi[k]} / ${en[k]}`;
const time = (iso: string | undefined) => (iso ? formatVietnamTime(new Date(iso)) : '—');
const COLORS = { valid: rgb(0.05, 0.45, 0.2), invalid: rgb(0.7, 0.1, 0.1), indeterminate: rgb(0.6, 0.4, 0) };

class Writer {
  private page!: PDFPage;
  private y = 0;
  constructor(
    private readonly doc: PDFDocument,
    private readonly font: PDFFont,
    private readonly bold: PDFFont,
  ) {
    this.newPage();
  }
  private newPage() {
    this.page = this.doc.addPage([595.28, 841.89]);
    this.y = 800;
  }
  /** Draws wrapped text; returns nothing, moves down. */
  text(s: string, opts: { size?: number; bold?: boolean; color?: ReturnType<typeof rgb>; indent?: number } = {}) {
    const size = opts.size ?? 9;
    const font = opts.bold ? this.bold : this.font;
    const x = 48 + (opts.indent ?? 0);
    const width = 595.28 - 48 - x;
    const words = s.split(/\s+/);
    let line = '';
    const flush = () => {
      if (this.y < 50) this.newPage();
      this.page.drawText(line, { x, y: this.y, size, font, color: opts.color ?? rgb(0.1, 0.1, 0.1) });
      this.y -= size * 1.35;
      line = '';
    };
    for (const w of words) {
      const next = line ? `${line} ${w}` : w;
      if (line && font.widthOfTextAtSize(next, size) > width) {
        flush();
        line = w;
      } else line = next;
    }
    flush();
  }
  field(label: string, value: string, indent = 12) {
    this.text(`${label}: ${value}`, { indent });
  }
  gap(n = 6) {
    this.y -= n;
  }
}

const verdictLine = (v: SignatureReport['verdict'], reasons: readonly string[]) =>
  `${VERDICT_TEXT.vi[v]} / ${VERDICT_TEXT.en[v]}${reasons.length ? ` — ${reasons.map((r) => `${reasonText('vi', r)} / ${reasonText('en', r)}`).join('; ')}` : ''}`;
const okText = (ok: boolean) => (ok ? `${vi.ok} / ${en.ok}` : `${vi.failed} / ${en.failed}`);

const writeSignature = (w: Writer, s: SignatureReport) => {
  w.text(`${both('signature')} ${s.index}: ${KIND_TEXT.vi[s.kind]} / ${KIND_TEXT.en[s.kind]}${s.fieldName ? ` (${s.fieldName})` : ''}`, {
    bold: true,
    size: 11,
  });
  w.text(verdictLine(s.verdict, s.reasons), { bold: true, color: COLORS[s.verdict], indent: 12 });
  if (s.signerName) w.field(both('signer'), s.signerName);
  if (s.tierText) w.field(both('tier'), `${s.tierText.vi} / ${s.tierText.en}`);
  if (s.certificate) {
    w.field(both('subject'), s.certificate.subject);
    w.field(both('issuer'), s.certificate.issuer);
    w.field(both('serial'), s.certificate.serialNumber);
    w.field(both('validity'), `${time(s.certificate.notBefore)} → ${time(s.certificate.notAfter)}`);
  }
  if (s.claimedTime) w.field(both('claimedTime'), time(s.claimedTime));
  if (s.timestamp)
    w.field(
      both('timestamp'),
      `${time(s.timestamp.time)} — ${okText(s.timestamp.valid)}${s.timestamp.valid && !s.timestamp.trusted ? `, ${vi.untrusted} / ${en.untrusted}` : ''}${s.timestamp.tsa ? ` (${s.timestamp.tsa})` : ''}`,
    );
  w.field(both('integrity'), okText(s.integrity.ok));
  w.field(both('signatureValue'), okText(s.signatureValue.ok));
  w.field(both('coverage'), s.coverage.coversWholeFile ? `${vi.wholeFile} / ${en.wholeFile}` : `${vi.revisionOnly} / ${en.revisionOnly}`);
  if (!s.coverage.coversWholeFile) {
    w.field(both('modifications'), s.modifications.disallowed.length ? s.modifications.disallowed.join('; ') : `${vi.none} / ${en.none}`);
  }
  w.field(
    both('path'),
    `${s.certificatePath.trusted ? `${vi.trusted} / ${en.trusted}` : `${vi.untrusted} / ${en.untrusted}`} — ${s.certificatePath.chain.join(' → ')}`,
  );
  w.field(
    both('revocation'),
    `${REVOCATION_TEXT.vi[s.revocation.status]} / ${REVOCATION_TEXT.en[s.revocation.status]} (CRL: ${s.revocation.crlsChecked}, OCSP: ${s.revocation.ocspChecked}/${s.revocation.ocspResponses})${s.revocation.detail ? ` — ${s.revocation.detail}` : ''}`,
  );
  if (s.level) w.field(both('level'), `PAdES ${s.level}`);
  w.gap(8);
};

/** The verification report as a printable A4 PDF, Vietnamese with English, in an embedded Unicode font. */
export const renderReportPdf = async (report: VerificationReport): Promise<Uint8Array> => {
  const doc = await PDFDocument.create();
  doc.registerFontkit(await loadFontkit());
  const font = await doc.embedFont(loadUnicodeFont('regular'), { subset: true });
  const bold = await doc.embedFont(loadUnicodeFont('bold'), { subset: true });
  doc.setTitle(`${vi.reportTitle} / ${en.reportTitle}`);
  doc.setProducer('Kyso');
  const w = new Writer(doc, font, bold);
  w.text(vi.reportTitle, { size: 16, bold: true });
  w.text(en.reportTitle, { size: 11, color: rgb(0.35, 0.35, 0.35) });
  w.gap(8);
  w.text(`${both('overall')}: ${verdictLine(report.verdict, report.reasons)}`, { bold: true, size: 12, color: COLORS[report.verdict] });
  w.field('SHA-256', report.sha256, 0);
  w.field(both('file'), `${report.size} bytes, ${both('pages')}: ${report.pages}, ${both('revisions')}: ${report.revisions}`, 0);
  w.field(both('checkedAt'), time(report.checkedAt), 0);
  if (report.level) w.field(both('level'), `PAdES ${report.level}`, 0);
  if (report.kyso) {
    w.gap(6);
    w.text(both('kyso'), { bold: true, size: 11 });
    w.field(both('envelopeTitle'), report.kyso.title);
    w.field(both('parties'), report.kyso.parties.map((p) => p.name).join(', '));
    if (report.kyso.completedAt) w.field(both('completedAt'), time(report.kyso.completedAt));
    if (!report.kyso.currentRevision) w.text(`${vi.notCurrent} / ${en.notCurrent}`, { indent: 12 });
  }
  w.gap(10);
  if (!report.signatures.length) w.text(`${vi.noSignatures} / ${en.noSignatures}`);
  for (const s of report.signatures) writeSignature(w, s);
  return doc.save();
};
