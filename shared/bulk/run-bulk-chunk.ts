import type { EnvelopeDeps } from '../envelope/deps.js';
import { sendEnvelope } from '../envelope/send-envelope.js';
import type { Tenant } from '../envelope/types.js';
import { AppError, isAppError } from '../errors.js';
import { createEnvelopeFromTemplate } from '../templates/create-from-template.js';
import type { Template, TemplateRepository } from '../templates/types.js';
import { sha256 } from '../util/bytes.js';
import type { BulkChunkJob, BulkJobRepository, BulkRowInput, BulkRowResult } from './types.js';

export interface BulkRunDeps extends EnvelopeDeps {
  readonly templates: TemplateRepository;
  readonly bulkJobs: BulkJobRepository;
}

/** Rows of one chunk processed at once: enough to overlap S3/DynamoDB latency, few enough for a 2-core box. */
const ROW_CONCURRENCY = 4;
/** Unexpected failures of one row before it is recorded as failed (the queue redelivers up to 5 times). */
export const MAX_ROW_ATTEMPTS = 3;

/** The envelope id of a row: the same for every delivery of the row, so createEnvelope's conditional put refuses a duplicate. */
export const bulkEnvelopeId = (jobId: string, row: number): string =>
  Buffer.from(sha256(`bulk/${jobId}/${row}`))
    .toString('base64url')
    .slice(0, 16);

const EMAIL = /^[^\s@<>(),;:"[\]]+@[^\s@<>(),;:"[\]]+\.[^\s@<>(),;:"[\]]+$/;

/**
 * Runs one chunk of a bulk send; safe to run twice (SQS delivers at least once). A row whose
 * outcome is recorded is skipped; a row whose envelope exists but whose outcome was not
 * recorded (the worker died in between) is recognised by its deterministic envelope id and
 * recorded as done. Bad rows (caller errors, 4xx) are recorded as failed with the reason;
 * anything else (throttling, a dependency down) throws, so the message comes back and the
 * rows not yet recorded are tried again.
 */
export const runBulkChunk = async (deps: BulkRunDeps, job: BulkChunkJob): Promise<void> => {
  const bulk = await deps.bulkJobs.get(job.tenantId, job.jobId);
  if (!bulk) return; // deleted job: nothing to do
  // Read once per chunk, not per row: the template, the tenant (its name certifies, its TSAs stamp), and the outcomes already recorded (a redelivery).
  const template = await deps.templates.get(job.tenantId, bulk.templateId);
  const tenant = await deps.tenants.get(job.tenantId);
  const known = await deps.bulkJobs.getRows(
    job.tenantId,
    job.jobId,
    job.rows.map((r) => r.row),
  );
  const errors: unknown[] = [];
  // Counted again (idempotent): the first attempt may have died between recording and counting.
  const recorded: BulkRowResult[] = [...known.values()];
  // Outcomes of this delivery, recorded together once every row has run (a crash before that loses none: a row
  // whose envelope exists is recognised by its id when the message comes back, and a failed row fails again).
  const outcomes: BulkRowResult[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: ROW_CONCURRENCY }, async () => {
      while (next < job.rows.length) {
        const row = job.rows[next++] as BulkRowInput;
        if (known.has(row.row)) continue;
        let result: BulkRowResult;
        try {
          result = await runRow(deps, job, template, tenant, bulk.send, row);
        } catch (e) {
          // Unexpected (a dependency down, a timeout): the message comes back and the row is tried
          // again, at most MAX_ROW_ATTEMPTS times, so one poisoned row cannot keep its job running forever.
          const attempts = await deps.bulkJobs.countFailedAttempt(job.tenantId, job.jobId, row.row);
          if (attempts < MAX_ROW_ATTEMPTS) {
            errors.push(e);
            continue;
          }
          const name = (e as Error)?.name ?? 'Error';
          result = { row: row.row, line: row.line, status: 'failed', code: 'internal', reason: `Failed ${attempts} times (${name}).` };
        }
        outcomes.push(result);
      }
    }),
  );
  recorded.push(...(await deps.bulkJobs.recordRows(job.tenantId, job.jobId, outcomes)));
  // The chunk's rows are counted in the job's totals in one write (progress moves a chunk at a time).
  await deps.bulkJobs.countRows(job.tenantId, job.jobId, recorded);
  // Every other row of the chunk is done; throwing now returns the message for the failed ones.
  if (errors.length) throw errors[0];
};

const runRow = async (
  deps: BulkRunDeps,
  job: BulkChunkJob,
  template: Template | undefined,
  tenant: Tenant | undefined,
  send: boolean,
  row: BulkRowInput,
): Promise<BulkRowResult> => {
  const envelopeId = bulkEnvelopeId(job.jobId, row.row);
  try {
    if (!template) throw new AppError('template_not_found', 'The template was deleted.');
    if (row.error) throw new AppError('validation_failed', row.error);
    const recipients = template.roles.map((slot) => {
      const cells = row.recipients[slot.key] ?? {};
      const email = cells.email ?? slot.recipient?.email;
      const name = cells.name ?? slot.recipient?.name ?? '';
      if (slot.role !== 'seal') {
        if (!email) throw new AppError('validation_failed', `${slot.key}_email is empty.`);
        if (!EMAIL.test(email)) throw new AppError('validation_failed', `${slot.key}_email "${email}" is not an email address.`);
        if (!name) throw new AppError('validation_failed', `${slot.key}_name is empty.`);
      }
      return { role: slot.key, name, ...(email ? { email } : {}) };
    });
    const envelope = await createEnvelopeFromTemplate(
      deps,
      template,
      { recipients, values: row.values, send },
      {},
      { envelopeId, ...(tenant ? { tenant } : {}) },
    );
    return { row: row.row, line: row.line, status: 'done', envelopeId: envelope.id };
  } catch (e) {
    // conflict: a redelivery after the envelope was created; invalid_state: a concurrent delivery
    // of the same chunk (visibility timeout passed) sent it first. Either way, finish and count it.
    if (isAppError(e) && (e.code === 'conflict' || e.code === 'invalid_state')) {
      const existing = await deps.envelopes.get(job.tenantId, envelopeId);
      if (existing) {
        if (send && existing.status === 'draft') {
          await sendEnvelope(deps, job.tenantId, envelopeId, {}).catch((err) => {
            if (!(isAppError(err) && err.code === 'invalid_state')) throw err;
          });
        }
        return { row: row.row, line: row.line, status: 'done', envelopeId };
      }
    }
    if (isAppError(e) && e.status < 500) {
      return { row: row.row, line: row.line, status: 'failed', code: e.code, reason: e.message };
    }
    throw e;
  }
};
