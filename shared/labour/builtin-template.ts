import type { CreateTemplateInput } from '../templates/create-template.js';
import { findMergeFields } from '../templates/merge.js';
import type { Template, TemplateRepository } from '../templates/types.js';
import { labourContractTexts } from './labour-template.js';

/**
 * The ready-made labour-contract template every tenant has (issue 13): a Vietnamese fixed-term
 * labour contract (Labour Code 2019, art. 21 main terms) whose merge fields fill both the
 * rendered document and the envelope's `labourContract`, so one bulk CSV row is one contract.
 * Built in, not stored: `withBuiltinTemplates` answers it from every tenant's template
 * repository (listed first, read by id), and it cannot be deleted.
 */
export const LABOUR_TEMPLATE_ID = 'mau-hop-dong-lao-dong';

const html = `<html><head><meta charset="utf-8"><style>body{font-family:'DejaVu Serif';font-size:12pt} h1,h2{text-align:center}</style></head><body>
<p style="text-align:center"><b>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</b><br>Độc lập – Tự do – Hạnh phúc</p>
<h1>HỢP ĐỒNG LAO ĐỘNG</h1>
<p style="text-align:center">(Hợp đồng lao động xác định thời hạn, giao kết bằng phương tiện điện tử theo Nghị định 337/2025/NĐ-CP)</p>
<p>Chúng tôi gồm:</p>
<p><b>Bên A (Người sử dụng lao động):</b> {{ten_cong_ty}}<br>Mã số thuế: {{mst}}<br>Địa chỉ: {{dia_chi_cong_ty}}<br>Đại diện: Ông/Bà {{dai_dien}}</p>
<p><b>Bên B (Người lao động):</b> {{ho_ten}}<br>Ngày sinh: {{ngay_sinh}} – Số CCCD: {{cccd}}<br>Địa chỉ thường trú: {{dia_chi}}</p>
<p>Hai bên thỏa thuận giao kết hợp đồng lao động với các điều khoản sau đây:</p>
<h2>Điều 1. Thời hạn và công việc</h2>
<p>Loại hợp đồng: xác định thời hạn, từ ngày {{tu_ngay}} đến ngày {{den_ngay}}. Chức danh, công việc: {{chuc_danh}}. Địa điểm làm việc: {{noi_lam_viec}}.</p>
<h2>Điều 2. Chế độ làm việc</h2>
<p>Thời giờ làm việc: {{gio_lam_viec}}. Người lao động được cấp phát dụng cụ làm việc, trang bị bảo hộ lao động theo quy định.</p>
<h2>Điều 3. Quyền và nghĩa vụ của người lao động</h2>
<p>Mức lương: {{luong}} đồng/tháng, trả bằng chuyển khoản. Được đóng bảo hiểm xã hội, bảo hiểm y tế, bảo hiểm thất nghiệp theo quy định của pháp luật. Hoàn thành công việc đã cam kết và chấp hành nội quy lao động.</p>
<p style="page-break-before:always"><b>Điều 4. Quyền và nghĩa vụ của người sử dụng lao động</b></p>
<p>Bảo đảm việc làm và thực hiện đầy đủ những điều đã cam kết trong hợp đồng lao động. Thanh toán đầy đủ, đúng thời hạn các chế độ và quyền lợi cho người lao động.</p>
<h2>Điều 5. Điều khoản thi hành</h2>
<p>Hợp đồng này được giao kết bằng phương tiện điện tử dưới hình thức thông điệp dữ liệu và có giá trị như hợp đồng bằng văn bản. Hợp đồng có hiệu lực kể từ thời điểm bên cuối cùng ký và được gửi tới Nền tảng hợp đồng lao động điện tử.</p>
<table width="100%"><tr><td align="center"><b>NGƯỜI LAO ĐỘNG</b><br><br><br><br>{{ho_ten}}</td><td align="center"><b>NGƯỜI SỬ DỤNG LAO ĐỘNG</b><br><br><br><br>{{dai_dien}}</td></tr></table>
</body></html>`;

/** What the built-in template is made of: the same input POST /v1/templates takes (its unit test creates it that way). */
export const labourTemplateInput: CreateTemplateInput = {
  name: 'Hợp đồng lao động (mẫu có sẵn)',
  title: 'Hợp đồng lao động – {{ho_ten}}',
  html,
  roles: [
    { name: 'Người lao động', key: 'nguoi_lao_dong', role: 'signer', order: 1 },
    { name: 'Người sử dụng lao động', key: 'nguoi_su_dung_lao_dong', role: 'signer', order: 2 },
  ],
  fields: [
    { recipient: 0, type: 'signature', anchor: 'NGƯỜI LAO ĐỘNG', offsetY: 4, width: 160, height: 44 },
    { recipient: 1, type: 'signature', anchor: 'NGƯỜI SỬ DỤNG LAO ĐỘNG', offsetY: 4, width: 160, height: 44 },
  ],
  labourContract: {
    employer: { name: '{{ten_cong_ty}}', taxCode: '{{mst}}', representative: '{{dai_dien}}', address: '{{dia_chi_cong_ty}}' },
    employee: { name: '{{ho_ten}}', idNumber: '{{cccd}}', dateOfBirth: '{{ngay_sinh}}', address: '{{dia_chi}}' },
    contractType: 'fixed-term',
    startDate: '{{tu_ngay}}',
    endDate: '{{den_ngay}}',
    jobTitle: '{{chuc_danh}}',
    workplace: '{{noi_lam_viec}}',
    salary: { amount: '{{luong}}', currency: 'VND' },
    workingHours: '{{gio_lam_viec}}',
    parties: { employee: 0, employer: 1 },
  },
};

/** The built-in template as a tenant's template (the same object for every tenant but its tenantId). */
export const builtinLabourTemplate = (tenantId: string): Template => {
  const input = labourTemplateInput;
  return {
    id: LABOUR_TEMPLATE_ID,
    tenantId,
    name: input.name,
    title: input.title as string,
    source: { type: 'html', html },
    roles: input.roles.map((r) => ({ name: r.name, key: r.key as string, role: r.role, order: r.order })),
    fields: input.fields,
    mergeFields: findMergeFields(input.title as string, html, ...labourContractTexts(input.labourContract)),
    ...(input.labourContract ? { labourContract: input.labourContract } : {}),
    createdAt: '2026-01-01T00:00:00.000Z',
  };
};

/** A tenant's templates plus the built-in ones: listed first on the first page, read by id, never created over or deleted. */
export const withBuiltinTemplates = (repo: TemplateRepository): TemplateRepository => ({
  create: (template) => repo.create(template),
  get: async (tenantId, templateId) =>
    templateId === LABOUR_TEMPLATE_ID ? builtinLabourTemplate(tenantId) : repo.get(tenantId, templateId),
  list: async (tenantId, options) => {
    const page = await repo.list(tenantId, options);
    return options.cursor ? page : { ...page, items: [builtinLabourTemplate(tenantId), ...page.items] };
  },
  delete: (tenantId, templateId) => (templateId === LABOUR_TEMPLATE_ID ? Promise.resolve(false) : repo.delete(tenantId, templateId)),
});
