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
import { labourCsvRow } from '../../bench/labour-bulk.js';

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

// One worker's row of the 500-worker bench, without the role columns.
const { nguoi_lao_dong_name, nguoi_lao_dong_email, nguoi_su_dung_lao_dong_name, nguoi_su_dung_lao_dong_email, ...row } = labourCsvRow(0);

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
      employee: { idNumber: '074199000000', dateOfBirth: '1999-05-12' },
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
