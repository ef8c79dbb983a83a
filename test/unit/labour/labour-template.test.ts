import { describe, expect, it } from 'vitest';
import { planBulkRows } from '../../../shared/bulk/plan-rows.js';
import { AppError } from '../../../shared/errors.js';
import { checkTemplateParties, labourContractTexts, mergeLabourContract } from '../../../shared/labour/labour-template.js';
import type { LabourContractInput } from '../../../shared/labour/prepare-labour-contract.js';
import { validateLabourTerms } from '../../../shared/labour/validate-labour-contract.js';
import { findMergeFields } from '../../../shared/templates/merge.js';
import type { Template } from '../../../shared/templates/types.js';

const contract: LabourContractInput = {
  employer: { name: 'Công ty TNHH May Mặc', taxCode: '0312345678-001', representative: 'Trần Thị Bình', address: 'Thủ Đức' },
  employee: { name: '{{ho_ten}}', idNumber: '{{cccd}}', dateOfBirth: '{{ngay_sinh}}', address: '{{dia_chi}}' },
  contractType: 'fixed-term',
  startDate: '{{tu_ngay}}',
  endDate: '{{ den_ngay }}',
  jobTitle: 'Công nhân may',
  workplace: 'Thủ Đức, TP. Hồ Chí Minh',
  salary: { amount: '{{luong}}', currency: 'VND' },
  parties: { employee: 0, employer: 1 },
};

describe('a template’s labourContract', () => {
  it('contributes its merge fields, fills them per envelope and leaves numbers and fixed texts alone', () => {
    expect(findMergeFields(...labourContractTexts(contract))).toEqual([
      'ho_ten',
      'cccd',
      'ngay_sinh',
      'dia_chi',
      'tu_ngay',
      'den_ngay',
      'luong',
    ]);
    const filled = mergeLabourContract(contract, {
      ho_ten: 'Lê Thị Hoa',
      cccd: '079195001234',
      ngay_sinh: '01/02/1995',
      dia_chi: 'Hà Nội',
      tu_ngay: '01/12/2026',
      den_ngay: '30/11/2027',
      luong: '8.200.000',
    });
    expect(filled).toMatchObject({
      employee: { name: 'Lê Thị Hoa', idNumber: '079195001234' },
      endDate: '30/11/2027',
      parties: { employee: 0 },
    });
    expect(validateLabourTerms(filled)).toMatchObject({ startDate: '2026-12-01', endDate: '2027-11-30', salary: { amount: 8_200_000 } });
  });

  it('refuses parties that name a missing role or a role that cannot be that party', () => {
    const roles = [{ role: 'signer' }, { role: 'seal' }];
    expect(() => checkTemplateParties(contract, roles)).not.toThrow();
    expect(() => checkTemplateParties({ ...contract, parties: { employee: 1 } }, roles)).toThrow(/parties\.employee: role 1 is a seal/);
    expect(() => checkTemplateParties({ ...contract, parties: { employer: 5 } }, roles)).toThrow(AppError);
  });

  it('a CSV of 500 workers plans 500 rows, each a valid labour contract but the one with a bad CCCD (which names the field)', () => {
    const mergeFields = findMergeFields(...labourContractTexts(contract));
    const template = {
      roles: [
        { name: 'Người lao động', key: 'nguoi_lao_dong', role: 'signer', order: 1 },
        { name: 'Công ty', key: 'cong_ty', role: 'signer', order: 2, recipient: { name: 'Trần Thị Bình', email: 'hr@example.vn' } },
      ],
      mergeFields,
    } as unknown as Template;
    const header = ['nguoi_lao_dong_name', 'nguoi_lao_dong_email', ...mergeFields].join(',');
    const lines = Array.from({ length: 500 }, (_, i) => {
      const cccd = i === 41 ? '0791950' : `079195${String(i).padStart(6, '0')}`;
      return [
        `"Công nhân ${i}"`,
        `cn${i}@example.vn`,
        `"Công nhân ${i}"`,
        cccd,
        '01/02/1995',
        '"Số 1, Hà Nội"',
        '01/12/2026',
        '30/11/2027',
        '8.200.000',
      ].join(',');
    });
    const { rows } = planBulkRows(template, `${header}\n${lines.join('\n')}\n`);
    expect(rows).toHaveLength(500);
    const outcomes = rows.map((r) => {
      try {
        return validateLabourTerms(mergeLabourContract(contract, r.values)).employee.idNumber;
      } catch (e) {
        return (e as AppError).details;
      }
    });
    expect(outcomes.filter((o) => typeof o === 'string')).toHaveLength(499);
    expect(outcomes[41]).toEqual({ field: 'labourContract.employee.idNumber' });
  });
});
