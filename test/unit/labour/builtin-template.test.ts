import { describe, expect, it } from 'vitest';
import {
  builtinLabourTemplate,
  LABOUR_TEMPLATE_ID,
  labourTemplateInput,
  withBuiltinTemplates,
} from '../../../shared/labour/builtin-template.js';
import { mergeLabourContract } from '../../../shared/labour/labour-template.js';
import { validateLabourTerms } from '../../../shared/labour/validate-labour-contract.js';
import { createTemplate } from '../../../shared/templates/create-template.js';
import type { Template, TemplateRepository } from '../../../shared/templates/types.js';

const memory = (): TemplateRepository & { saved: Map<string, Template> } => {
  const saved = new Map<string, Template>();
  return {
    saved,
    create: async (t) => void saved.set(t.id, t),
    get: async (_, id) => saved.get(id),
    list: async () => ({ items: [...saved.values()] }),
    delete: async (_, id) => saved.delete(id),
  };
};

const row = {
  ten_cong_ty: 'Công ty TNHH May Mặc Bình Dương',
  mst: '3701234567',
  dai_dien: 'Trần Thị Bình',
  dia_chi_cong_ty: 'KCN Sóng Thần, Dĩ An, Bình Dương',
  ho_ten: 'Nguyễn Thị Lan',
  ngay_sinh: '12/05/1999',
  cccd: '074199001234',
  dia_chi: 'Thuận An, Bình Dương',
  tu_ngay: '01/12/2026',
  den_ngay: '30/11/2027',
  chuc_danh: 'Công nhân may',
  noi_lam_viec: 'Dĩ An, Bình Dương',
  luong: '8.500.000',
  gio_lam_viec: '8 giờ/ngày, 48 giờ/tuần',
};

describe('the built-in labour-contract template', () => {
  it('passes the checks POST /v1/templates makes (rendered, every anchor found, fields on the page) with the same merge fields', async () => {
    const repo = memory();
    const made = await createTemplate(
      { templates: repo, documents: { put: async () => {} } as never, clock: { now: () => new Date('2026-11-25T08:00:00Z') } },
      't1',
      labourTemplateInput,
    );
    const builtin = builtinLabourTemplate('t1');
    expect(builtin.mergeFields).toEqual(made.mergeFields);
    expect(builtin.roles).toEqual(made.roles);
    expect(builtin.mergeFields).toEqual(expect.arrayContaining(Object.keys(row)));
    expect(Object.keys(row)).toEqual(expect.arrayContaining([...builtin.mergeFields]));
  });

  it('one CSV row is one valid labour contract (Vietnamese dates and amounts)', () => {
    const terms = validateLabourTerms(mergeLabourContract(labourTemplateInput.labourContract as never, row));
    expect(terms).toMatchObject({
      employee: { idNumber: '074199001234', dateOfBirth: '1999-05-12' },
      employer: { taxCode: '3701234567' },
      startDate: '2026-12-01',
      endDate: '2027-11-30',
      salary: { amount: 8_500_000 },
      workingHours: '8 giờ/ngày, 48 giờ/tuần',
    });
  });

  it('every tenant has it: listed first, read by id, not deletable; the tenant’s own templates are untouched', async () => {
    const repo = memory();
    const templates = withBuiltinTemplates(repo);
    await templates.create({ ...builtinLabourTemplate('t1'), id: 'own', name: 'Của tôi' });
    expect((await templates.list('t1', { limit: 25 })).items.map((t) => t.id)).toEqual([LABOUR_TEMPLATE_ID, 'own']);
    expect((await templates.list('t1', { limit: 25, cursor: 'next' })).items.map((t) => t.id)).toEqual(['own']);
    expect((await templates.get('t2', LABOUR_TEMPLATE_ID))?.tenantId).toBe('t2');
    expect(await templates.delete('t1', LABOUR_TEMPLATE_ID)).toBe(false);
    expect(await templates.delete('t1', 'own')).toBe(true);
  });
});
