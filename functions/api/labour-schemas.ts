import { z } from '@hono/zod-openapi';

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
      dateOfBirth: str(40).describe('YYYY-MM-DD or DD/MM/YYYY'),
      address: str(300),
    })
    .partial()
    .strict()
    .optional(),
  contractType: z.enum(['indefinite', 'fixed-term']).optional(),
  startDate: str(40).optional().describe('YYYY-MM-DD or DD/MM/YYYY'),
  endDate: str(40).optional().describe('Required for fixed-term; at most 36 months after startDate'),
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
    effectiveDate: str(40).optional().describe('Appendix / termination: YYYY-MM-DD'),
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
        originalSignedAt: str(40).optional().describe('When the paper original was signed (YYYY-MM-DD)'),
      })
      .strict(),
    labourContract: z.object(labourTermsShape).strict(),
  })
  .strict();

const date = z.string().openapi({ example: '2026-07-01' });

/** `labourContract` as the envelope's representation shows it: the main terms, the parties and the registration. */
export const LabourContractViewSchema = z
  .object({
    act: z.enum(['contract', 'appendix', 'termination']),
    employer: z.object({ name: z.string(), taxCode: z.string(), representative: z.string(), address: z.string() }),
    employee: z.object({ name: z.string(), idNumber: z.string().openapi({ description: 'CCCD' }), dateOfBirth: date, address: z.string() }),
    contractType: z.enum(['indefinite', 'fixed-term']),
    startDate: date,
    endDate: date.optional(),
    jobTitle: z.string(),
    workplace: z.string(),
    salary: z.object({ amount: z.number(), currency: z.literal('VND') }),
    workingHours: z.string().optional(),
    parties: z.object({ employeeRecipientId: z.string().optional(), employerRecipientId: z.string() }),
    relatesTo: z.object({ envelopeId: z.string(), nationalId: z.string() }).optional(),
    effectiveDate: date.optional(),
    summary: z.string().optional(),
    conversion: z
      .object({ convertedBy: z.string(), convertedAt: z.string(), originalReference: z.string(), originalSignedAt: z.string().optional() })
      .optional()
      .openapi({ description: 'A contract converted from paper: its conversion record' }),
    terminatedBy: z.object({ envelopeId: z.string(), nationalId: z.string() }).optional(),
    identification: z
      .object({ required: z.boolean(), decidedBy: z.enum(['default', 'tenant', 'deployment']) })
      .optional()
      .openapi({
        description:
          'Decree 337: whether the parties prove their identity before signing (eKYC or VNeID; default on), and who decided an opt-out',
      }),
    registration: z
      .object({
        status: z.enum(['pending', 'submitted', 'registered', 'rejected']),
        owedSince: z.string().openapi({ description: 'Completion: the 24-hour deadline of Decree 337 runs from here' }),
        attempts: z.number().int(),
        nationalId: z.string().optional().openapi({ description: "The national platform's identifier (never changes)" }),
        registeredAt: z.string().optional(),
        reason: z.string().optional().openapi({ description: "The platform's reason for a rejection" }),
        nextAttemptAt: z.string().optional(),
        lastError: z.string().optional(),
        late: z.boolean().openapi({ description: 'Not registered 20 hours after completion (the alarm fired)' }),
        overdue: z.boolean().openapi({ description: 'Not registered 24 hours after completion' }),
        overdueReason: z.string().optional(),
      })
      .optional()
      .openapi({ description: 'From completion on: the registration with the national e-labour-contract platform' }),
  })
  .openapi('LabourContract');

/** A row of GET /v1/reports/labour-contracts. */
export const LabourReportRowSchema = z
  .object({
    envelopeId: z.string(),
    title: z.string(),
    act: z.enum(['contract', 'appendix', 'termination']),
    completedAt: z.string(),
    employeeName: z.string(),
    employeeIdNumber: z.string(),
    employerTaxCode: z.string(),
    contractType: z.string(),
    startDate: z.string(),
    endDate: z.string().optional(),
    status: z.enum(['pending', 'submitted', 'registered', 'rejected']),
    nationalId: z.string().optional(),
    relatesTo: z.string().optional(),
    reason: z.string().optional(),
    late: z.boolean(),
    overdue: z.boolean(),
    converted: z.boolean(),
  })
  .openapi('LabourReportRow');
