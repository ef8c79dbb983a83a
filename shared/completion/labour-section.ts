import type { Envelope } from '../envelope/types.js';
import type { LabourContract } from '../labour/types.js';
import { formatVietnamTime } from '../pdf/appearance.js';
import type { TextLayout } from './layout.js';

/** The labour events of the audit trail, as the certificate names them. */
export const LABOUR_ACTIONS: Record<string, string> = {
  'labour_contract.converted_from_paper': 'Chuyển đổi từ bản giấy / Converted from paper',
  'labour_contract.submission_attempt': 'Gửi Nền tảng HĐLĐ điện tử / Sent to the national platform',
  'labour_contract.registered': 'Đã đăng ký trên Nền tảng / Registered by the national platform',
  'labour_contract.rejected': 'Nền tảng từ chối / Rejected by the national platform',
  'labour_contract.registration_retried': 'Gửi lại đăng ký / Registration retried',
  'labour_contract.registration_late': 'Quá 20 giờ chưa đăng ký / Not registered after 20 hours',
  'labour_contract.registration_overdue': 'Quá hạn 24 giờ / Not registered within 24 hours',
};

const ACTS: Record<LabourContract['act'], string> = {
  contract: 'Hợp đồng lao động / Labour contract',
  appendix: 'Phụ lục hợp đồng lao động / Appendix',
  termination: 'Chấm dứt hợp đồng lao động / Termination',
};

const STATUS: Record<string, string> = {
  pending: 'Đang chờ gửi / Pending',
  submitted: 'Đã gửi, chờ kết quả / Submitted, awaiting the result',
  registered: 'Đã đăng ký / Registered',
  rejected: 'Bị từ chối / Rejected',
};

/**
 * The labour contract of an envelope on its certificate of completion (Decree 337/2025/NĐ-CP):
 * the parties with the worker's CCCD and the employer's tax code, the main terms, the original
 * of an appendix or termination, the conversion record of a paper contract, and the identifier
 * the national platform gave it (or where its registration stands).
 */
export const printLabourContract = (out: TextLayout, e: Envelope): void => {
  const c = e.labourContract;
  if (!c) return;
  const t = c.terms;
  out.text(out.label('Hợp đồng lao động điện tử / Electronic labour contract'), { size: 11, bold: true, gap: 2 });
  out.pair('Loại văn bản / Document', out.label(ACTS[c.act]));
  out.pair('Người lao động / Employee', `${t.employee.name} — CCCD ${t.employee.idNumber} — sinh ngày / born ${t.employee.dateOfBirth}`);
  out.pair(
    'Người sử dụng lao động / Employer',
    `${t.employer.name} — MST / tax code ${t.employer.taxCode} — đại diện / represented by ${t.employer.representative}`,
  );
  out.pair(
    'Loại hợp đồng, thời hạn / Type, term',
    t.contractType === 'indefinite'
      ? `Không xác định thời hạn / Indefinite, từ / from ${t.startDate}`
      : `Xác định thời hạn / Fixed term, ${t.startDate} – ${t.endDate ?? ''}`,
  );
  out.pair('Công việc, địa điểm / Job, workplace', `${t.jobTitle} — ${t.workplace}`);
  out.pair('Mức lương / Salary', `${t.salary.amount.toLocaleString('vi-VN')} ${t.salary.currency}`);
  if (c.relatesTo) out.pair('Hợp đồng gốc / Original contract', c.relatesTo.nationalId);
  if (c.effectiveDate) out.pair('Hiệu lực từ / Effective', c.effectiveDate);
  if (c.conversion) {
    out.pair(
      'Chuyển đổi từ bản giấy / Converted from paper',
      `${c.conversion.originalReference} — ${c.conversion.convertedBy}, ${formatVietnamTime(new Date(c.conversion.convertedAt))}`,
    );
  }
  const r = c.registration;
  out.pair(
    'Mã trên Nền tảng quốc gia / National platform ID',
    r?.nationalId ?? (r ? `${STATUS[r.status] ?? r.status}${r.reason ? ` — ${r.reason}` : ''}` : 'Chưa hoàn tất / Not completed'),
  );
  if (r?.registeredAt) out.pair('Đăng ký lúc / Registered', formatVietnamTime(new Date(r.registeredAt)));
  out.rule();
};
