import { createEnvelope } from '../envelope/create-envelope.js';
import type { EnvelopeDeps, RequestMeta } from '../envelope/deps.js';
import { sendEnvelope } from '../envelope/send-envelope.js';
import type { Envelope } from '../envelope/types.js';
import { getEnvelopeOrThrow } from '../envelope/update-envelope.js';
import { AppError } from '../errors.js';
import { loadPdf, pageBoxes } from '../pdf/pdf-structure.js';
import type { LabourTermsInput } from './validate-labour-contract.js';
import { validateConversionRecord } from './validate-labour-contract.js';

export interface ConvertPaperContractInput {
  readonly title?: string;
  readonly document: { readonly name: string; readonly content: Uint8Array };
  readonly conversion: { convertedBy?: string; convertedAt?: string; originalReference?: string; originalSignedAt?: string };
  readonly labourContract: LabourTermsInput;
}

/** Where the seal goes on the scan: the bottom right corner of the last page (PDF points from the top left). */
const SEAL_BOX = { width: 180, height: 56, margin: 24 };

/**
 * A contract converted from paper (Decree 337): the scan plus its conversion record becomes an
 * envelope whose only actor is the tenant's organisation seal. Sending it runs the usual
 * path — certification, the seal's PAdES signature with its timestamp, the long-term
 * revision — so the seal is applied exactly as in any envelope, the envelope completes, and
 * the completing write owes the registration like any other labour contract.
 */
export const convertPaperContract = async (
  deps: EnvelopeDeps,
  tenantId: string,
  input: ConvertPaperContractInput,
  meta: RequestMeta,
): Promise<Envelope> => {
  const conversion = validateConversionRecord(input.conversion, deps.clock.now());
  let pages: { width: number; height: number }[];
  try {
    pages = pageBoxes((await loadPdf(input.document.content)).doc);
  } catch (e) {
    if (e instanceof AppError) throw new AppError(e.code, `document (${input.document.name}): ${e.message}`);
    throw e;
  }
  const last = pages[pages.length - 1] as { width: number; height: number };
  const employer = input.labourContract.employer?.name?.trim() || 'Người sử dụng lao động';
  const draft = await createEnvelope(
    deps,
    tenantId,
    {
      title: input.title?.trim() || `Hợp đồng lao động chuyển đổi – ${input.labourContract.employee?.name ?? ''}`.trim(),
      documents: [input.document],
      recipients: [{ name: employer, role: 'seal', order: 1 }],
      fields: [
        {
          recipient: 0,
          document: 0,
          type: 'signature',
          page: pages.length,
          x: Math.max(0, last.width - SEAL_BOX.width - SEAL_BOX.margin),
          y: Math.max(0, last.height - SEAL_BOX.height - SEAL_BOX.margin),
          width: Math.min(SEAL_BOX.width, last.width),
          height: Math.min(SEAL_BOX.height, last.height),
        },
      ],
      reminders: false,
      labourContract: { ...input.labourContract, act: 'contract' },
    },
    meta,
    { conversion },
  );
  await deps.audit.append(tenantId, draft.id, {
    at: deps.clock.now().toISOString(),
    action: 'labour_contract.converted_from_paper',
    actor: { type: 'tenant', id: tenantId },
    ...meta,
    data: { ...conversion },
  });
  await sendEnvelope(deps, tenantId, draft.id, meta);
  return getEnvelopeOrThrow(deps, tenantId, draft.id);
};
