import { PDFDocument, rgb } from 'pdf-lib';
import QRCode from 'qrcode';
import type { AuditEvent, Envelope } from '../envelope/types.js';
import { formatVietnamTime } from '../pdf/appearance.js';
import type { FieldRect } from '../pdf/form-fields.js';
import { LABOUR_ACTIONS, printLabourContract } from './labour-section.js';
import { TextLayout } from './layout.js';

export interface CertificateInput {
  readonly envelope: Envelope;
  readonly events: readonly AuditEvent[];
  readonly senderName: string;
  /** Where anyone can check the signed documents (the verify page for this envelope). */
  readonly verifyUrl: string;
  readonly generatedAt: Date;
}

const ACTIONS: Record<string, string> = {
  'envelope.created': 'Tạo phong bì / Envelope created',
  'envelope.sent': 'Gửi đi / Sent',
  'recipient.identity_verified': 'Đã xác minh danh tính / Identity verified',
  'recipient.identity_failed': 'Xác minh danh tính thất bại / Identity check failed',
  'recipient.identity_locked': 'Khóa xác minh danh tính / Identity proofing locked',
  'recipient.message_fallback': 'Zalo lỗi, gửi SMS / Zalo failed, sent by SMS',
  'recipient.message_delivered': 'Tin nhắn đã đến / Message delivered',
  'recipient.notified': 'Gửi email mời ký / Signing link emailed',
  'recipient.viewed': 'Mở tài liệu / Viewed',
  'recipient.otp_verified': 'Xác thực OTP / One-time code verified',
  'recipient.signed': 'Ký / Signed',
  'recipient.approved': 'Phê duyệt / Approved',
  'recipient.declined': 'Từ chối / Declined',
  'envelope.completed': 'Hoàn tất / Completed',
  'envelope.voided': 'Hủy / Voided',
  'envelope.declined': 'Bị từ chối / Declined',
  'envelope.expired': 'Hết hạn / Expired',
  ...LABOUR_ACTIONS,
};

const ROLES: Record<string, string> = {
  signer: 'Người ký / Signer',
  approver: 'Người phê duyệt / Approver',
  viewer: 'Người nhận bản sao / Viewer',
  seal: 'Con dấu tổ chức / Organisation seal',
};

/** The `method` values the signing paths record in their audit events. */
const METHODS: Record<string, string> = {
  'email-link': 'Liên kết qua email / Email link',
  'email-link+otp': 'Liên kết email + mã OTP / Email link + one-time code',
  'email-link+access-code': 'Liên kết email + mã truy cập / Email link + access code',
  'organisation-seal': 'Con dấu tổ chức, khóa trong KMS / Organisation seal, key in KMS',
  token: 'Chứng thư số riêng (USB token) / Own certificate (USB token)',
  remote: 'Ký số từ xa qua CA / Remote signing through a CA',
};

/** How each recipient was identified, as recorded in their signing (or approval) event. */
const identification = (events: readonly AuditEvent[], recipientId: string): string => {
  const acted = [...events]
    .reverse()
    .find((e) => e.actor.id === recipientId && (e.action === 'recipient.signed' || e.action === 'recipient.approved'));
  const method = (acted?.data?.method as string | undefined) ?? 'email-link';
  return METHODS[method] ?? method;
};

/**
 * The certificate of completion: a separate PDF (the contract itself is never touched),
 * Vietnamese with English: the envelope and its documents with SHA-256 before and after,
 * every recipient with role, order and how they were identified, every audit event with
 * time, IP and user agent, the audit chain head, and a QR code to the verify page.
 */
export const renderCompletionCertificate = async (input: CertificateInput): Promise<{ pdf: Uint8Array; sealRect: FieldRect }> => {
  const { envelope: e, events } = input;
  const doc = await PDFDocument.create();
  const primary = e.language ?? 'vi';
  doc.setTitle(
    `${primary === 'en' ? 'Certificate of completion / Chứng nhận hoàn tất' : 'Chứng nhận hoàn tất / Certificate of completion'} — ${e.title}`,
  );
  doc.setProducer('Kyso');
  doc.setCreationDate(input.generatedAt);
  doc.setModificationDate(input.generatedAt);
  // Whatever of the input may be printed: the fixed faces serve it when they hold every character.
  const out = await TextLayout.create(doc, `Kyso · ${e.id}`, primary, JSON.stringify([e, events, input.senderName, input.verifyUrl]));

  // The envelope's language first: the heading, every label and every sentence.
  const [heading, subheading] =
    primary === 'en' ? ['CERTIFICATE OF COMPLETION', 'Chứng nhận hoàn tất'] : ['CHỨNG NHẬN HOÀN TẤT', 'Certificate of completion'];
  out.text(heading, { size: 18, bold: true, color: [0.07, 0.2, 0.5] });
  out.text(subheading, { size: 11, color: [0.35, 0.35, 0.4], gap: 6 });

  // QR code to the verify page, top right of the first page.
  const qr = QRCode.create(input.verifyUrl, { errorCorrectionLevel: 'M' });
  const cells = qr.modules.size;
  const cell = 90 / cells;
  const page = out.currentPage;
  const x0 = page.getWidth() - 48 - 90;
  const y0 = page.getHeight() - 48 - 90;
  for (let r = 0; r < cells; r++) {
    for (let c = 0; c < cells; c++) {
      if (qr.modules.get(r, c))
        page.drawRectangle({ x: x0 + c * cell, y: y0 + (cells - 1 - r) * cell, width: cell, height: cell, color: rgb(0, 0, 0) });
    }
  }

  out.pair('Tiêu đề / Title', e.title);
  out.pair('Mã phong bì / Envelope ID', e.id);
  out.pair('Người gửi / Sender', input.senderName);
  out.pair('Trạng thái / Status', e.status);
  out.pair('Tạo lúc / Created', formatVietnamTime(new Date(e.createdAt)));
  if (e.sentAt) out.pair('Gửi lúc / Sent', formatVietnamTime(new Date(e.sentAt)));
  if (e.completedAt) out.pair('Hoàn tất / Completed', formatVietnamTime(new Date(e.completedAt)));
  out.pair('Kiểm tra / Verify', input.verifyUrl);
  out.rule();

  out.text(out.label('Tài liệu / Documents'), { size: 11, bold: true, gap: 2 });
  for (const d of e.documents) {
    out.pair('Tên / Name', d.name);
    out.pair('SHA-256 ban đầu / original', d.originalSha256);
    out.pair('SHA-256 sau khi ký / signed', d.sha256);
    out.pair('Trang, phiên bản / Pages, rev.', `${d.pageCount}, ${d.revisions}`);
    out.space(4);
  }
  out.rule();
  printLabourContract(out, e);

  out.text(out.label('Các bên / Recipients'), { size: 11, bold: true, gap: 2 });
  for (const r of [...e.recipients].sort((a, b) => a.order - b.order)) {
    out.pair('Họ tên / Name', r.name);
    if (r.email) out.pair('Email', r.email);
    if (r.phone) out.pair('Điện thoại / Phone', r.phone);
    out.pair('Vai trò, thứ tự / Role, order', `${out.label(ROLES[r.role] ?? r.role)}, ${r.order}`);
    out.pair('Xác thực / Identified by', out.label(identification(events, r.id)));
    const proof = r.identity?.evidence;
    if (proof) {
      out.pair(
        'Định danh / Identity proof',
        `${proof.method === 'vneid-oidc' ? 'VNeID (OpenID Connect)' : 'eKYC CCCD + khuôn mặt / ID card + face'} — ${proof.provider}, ${proof.transactionId}`,
      );
      out.pair('Họ tên đã xác minh / Verified name', proof.fullName);
      out.pair('Ngày sinh, số CCCD / Born, ID no.', `${proof.dateOfBirth}, ${proof.idNumber}`);
      const scores = Object.entries(proof.scores ?? {}).map(([k, v]) => `${k} ${v}`);
      out.pair(
        'Thời điểm, điểm số / At, scores',
        `${formatVietnamTime(new Date(proof.verifiedAt))}${scores.length ? ` — ${scores.join(', ')}` : ''}${proof.assuranceLevel ? ` — ${proof.assuranceLevel}` : ''}`,
      );
    }
    out.pair('Trạng thái / Status', `${r.status}${r.signedAt ? ` — ${formatVietnamTime(new Date(r.signedAt))}` : ''}`);
    out.space(4);
  }
  out.rule();

  out.text(out.label('Nhật ký / Audit trail'), { size: 11, bold: true, gap: 2 });
  for (const ev of events) {
    const who = ev.actor.email ?? (ev.actor.type === 'system' ? 'Kyso' : ev.actor.type);
    out.text(`#${ev.seq}  ${formatVietnamTime(new Date(ev.at))}  ${out.label(ACTIONS[ev.action] ?? ev.action)}`, { size: 8.5, bold: true });
    out.text(`${who}${ev.ip ? ` · IP ${ev.ip}` : ''}${ev.userAgent ? ` · ${ev.userAgent}` : ''}`, { size: 7.5, x: 14 });
    out.text(`SHA-256: ${ev.hash}`, { size: 7, x: 14, color: [0.4, 0.4, 0.45], gap: 2 });
  }
  out.rule();
  const head = events[events.length - 1];
  out.text(
    `${out.both('Chuỗi nhật ký được liên kết bằng SHA-256; mắt xích cuối', 'The audit events are hash-chained; chain head')}: ${head?.hash ?? '—'}`,
    { size: 8 },
  );
  out.text(
    `${out.label('Lập lúc / Generated')}: ${formatVietnamTime(input.generatedAt)}. ${out.both('Tài liệu này được niêm phong bằng chữ ký số của Kyso.', "Sealed with Kyso's digital signature.")}`,
    {
      size: 8,
      gap: 6,
    },
  );
  // Room for the visible seal, right after the text.
  out.ensure(70);
  const sealRect: FieldRect = {
    page: doc.getPageCount(),
    x: 48,
    y: out.currentPage.getHeight() - out.cursorY + 4,
    width: 220,
    height: 56,
  };
  return { pdf: await doc.save({ useObjectStreams: false }), sealRect };
};
