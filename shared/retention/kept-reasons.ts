import type { KeptReason } from '../data-subjects/types.js';
import type { Envelope } from '../envelope/types.js';
import { effectiveRetention, retentionUntil } from './retention-date.js';
import type { ContractKind, RetentionSettings } from './types.js';

/** The law behind each retention class's default (shared/retention/types.ts), as the erase answer cites it. */
const LAW: Record<ContractKind, { law: string; vi: string; en: string }> = {
  labourContract: {
    law: 'Nghị định 337/2025/NĐ-CP; Bộ luật Lao động 2019; Thông tư 10/2022/TT-BNV',
    vi: 'Hợp đồng lao động điện tử đã ký được lưu trữ theo Nghị định 337/2025/NĐ-CP và Bộ luật Lao động (hồ sơ nhân sự: Thông tư 10/2022/TT-BNV)',
    en: 'A signed electronic labour contract is kept under Decree 337/2025/ND-CP and the Labour Code (personnel records: Circular 10/2022/TT-BNV)',
  },
  serviceContract: {
    law: 'Luật Kế toán 88/2015/QH13, Điều 41; Bộ luật Dân sự 2015, Điều 429',
    vi: 'Hợp đồng dịch vụ đã ký là chứng từ kế toán, lưu trữ theo Luật Kế toán (Điều 41) và thời hiệu khởi kiện (Bộ luật Dân sự, Điều 429)',
    en: 'A signed service contract is an accounting document, kept under the Accounting Law (art. 41) and the limitation period (Civil Code, art. 429)',
  },
  other: {
    law: 'Luật Lưu trữ 2024',
    vi: 'Tài liệu đã ký được lưu trữ theo thời hạn lưu trữ của doanh nghiệp (Luật Lưu trữ 2024)',
    en: 'A signed document is kept for the tenant’s retention period (Archives Law 2024)',
  },
};

const day = (iso: string) => iso.slice(0, 10);

/**
 * Why an envelope's record of a person cannot be erased now: a legal hold, a completed
 * contract under retention (with the law and the date), or an envelope still out for signing.
 * Empty: nothing keeps it.
 */
export const keptReasons = (
  envelope: Envelope,
  tenant: { readonly retention?: Partial<RetentionSettings> } | undefined,
  now: Date,
): KeptReason[] => {
  const reasons: KeptReason[] = [];
  if (envelope.legalHold) {
    reasons.push({
      code: 'legal_hold',
      message: {
        vi: `Đang bị phong toả pháp lý từ ${day(envelope.legalHold.at)}: ${envelope.legalHold.reason}`,
        en: `Under legal hold since ${day(envelope.legalHold.at)}: ${envelope.legalHold.reason}`,
      },
    });
  }
  // Once the sweep ended the retention with `delete`, the class no longer keeps it (end-retention.ts).
  if (envelope.status === 'completed' && envelope.retention?.ended?.action !== 'delete') {
    const until = envelope.retention?.retainUntil ?? retentionUntil(envelope, effectiveRetention(tenant), { now }).until.toISOString();
    const kind = envelope.retention?.kind ?? retentionUntil(envelope, effectiveRetention(tenant), { now }).kind;
    const law = LAW[kind];
    // After the date the class says "delete" or "review": that is the end-of-retention sweep's decision, not this request's.
    reasons.push({
      code: 'retention',
      law: law.law,
      until,
      message: { vi: `${law.vi}, đến ngày ${day(until)}.`, en: `${law.en}, until ${day(until)}.` },
    });
  }
  if (envelope.status === 'sent') {
    reasons.push({
      code: 'in_progress',
      message: {
        vi: 'Phong bì đang chờ ký: hãy hủy (void) phong bì rồi gửi lại yêu cầu xóa.',
        en: 'The envelope is still out for signing: void it, then ask for erasure again.',
      },
    });
  }
  return reasons;
};
