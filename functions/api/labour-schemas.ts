import { z } from 'zod';

/**
 * `labourContract` (Decree 337/2025): the shape only. The rules — tax code 10 or 10-3 digits,
 * CCCD 12 digits, real dates, a fixed-term contract ending at most 36 months after its start —
 * are checked by shared/labour/validate-labour-contract.ts, for the API, templates and bulk
 * rows alike, with 400 `invalid_labour_contract` naming the field.
 */
const str = (max: number) => z.string().max(max);
export const labourTermsShape = {
  employer: z
    .object({ name: str(300), taxCode: str(20).describe('Mã số thuế: 10 digits, or 10-3'), representative: str(200), address: str(300) })
    .partial()
    .strict()
    .optional(),
  employee: z
    .object({
      name: str(200),
      idNumber: str(20).describe('CCCD: 12 digits'),
      dateOfBirth: str(10).describe('YYYY-MM-DD or DD/MM/YYYY'),
      address: str(300),
    })
    .partial()
    .strict()
    .optional(),
  contractType: z.enum(['indefinite', 'fixed-term']).optional(),
  startDate: str(10).optional().describe('YYYY-MM-DD or DD/MM/YYYY'),
  endDate: str(10).optional().describe('Required for fixed-term; at most 36 months after startDate'),
  jobTitle: str(200).optional(),
  workplace: str(300).optional(),
  salary: z
    .object({ amount: z.union([z.number(), str(30)]), currency: z.literal('VND').default('VND') })
    .partial()
    .strict()
    .optional(),
  workingHours: str(200).optional(),
};

export const labourContractSchema = z
  .object({
    ...labourTermsShape,
    act: z.enum(['contract', 'appendix', 'termination']).default('contract'),
    relatesTo: str(100).optional().describe('Appendix / termination: the original contract’s nationalId or envelope id'),
    effectiveDate: str(10).optional().describe('Appendix / termination: YYYY-MM-DD'),
    summary: str(2000).optional().describe('Appendix: what changes; termination: the reason'),
    parties: z
      .object({ employee: z.number().int().min(0).max(49), employer: z.number().int().min(0).max(49) })
      .partial()
      .strict()
      .optional()
      .describe('Indexes into recipients; default: the employee by name, the employer by its seal or its representative’s name'),
  })
  .strict();

/** POST /v1/labour-contracts/conversions: a scan of a paper contract, its conversion record and main terms. */
export const conversionSchema = z
  .object({
    title: z.string().trim().max(300).optional(),
    document: z.object({ name: z.string().trim().min(1).max(200), contentBase64: z.string().max(12 * 1024 * 1024) }).strict(),
    conversion: z
      .object({
        convertedBy: str(200).describe('Who converted it (name, position)'),
        convertedAt: str(40).describe('ISO date-time of the conversion'),
        originalReference: str(200).describe('Number / reference of the paper original'),
        originalSignedAt: str(10).optional().describe('When the paper original was signed (YYYY-MM-DD)'),
      })
      .strict(),
    labourContract: z.object(labourTermsShape).strict(),
  })
  .strict();
