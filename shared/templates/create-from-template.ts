import { type CreateEnvelopeInput, createEnvelope } from '../envelope/create-envelope.js';
import { createSentEnvelope } from '../envelope/create-sent-envelope.js';
import type { EnvelopeDeps, RequestMeta } from '../envelope/deps.js';
import type { Envelope, Tenant } from '../envelope/types.js';
import { AppError } from '../errors.js';
import { mergeLabourContract } from '../labour/labour-template.js';
import { buildTemplateDocument } from './build-document.js';
import { assertMergeValues } from './merge.js';
import type { MergeValues, Template, TemplateRepository } from './types.js';

export interface TemplateRecipientInput {
  /** The role slot, by name ("Người lao động") or key ("nguoi_lao_dong"); absent = by position. */
  readonly role?: string;
  readonly name: string;
  readonly email?: string;
}

export interface CreateFromTemplateInput {
  readonly recipients: readonly TemplateRecipientInput[];
  readonly values: MergeValues;
  readonly send?: boolean;
}

export const getTemplateOrThrow = async (
  deps: { readonly templates: TemplateRepository },
  tenantId: string,
  templateId: string,
): Promise<Template> => {
  const t = await deps.templates.get(tenantId, templateId);
  if (!t) throw new AppError('template_not_found', `Template ${templateId} not found.`);
  return t;
};

/** Fills the template's role slots: named recipients by slot, the others by position, then the slots' fixed recipients. */
export const assignRecipients = (template: Template, recipients: readonly TemplateRecipientInput[]) => {
  const bySlot = new Map<number, TemplateRecipientInput>();
  recipients.forEach((r, i) => {
    const slot = r.role === undefined ? i : template.roles.findIndex((s) => s.name === r.role || s.key === r.role);
    if (slot < 0 || slot >= template.roles.length) {
      throw new AppError(
        'unknown_recipient',
        r.role === undefined
          ? `recipients[${i}]: the template has ${template.roles.length} role(s).`
          : `recipients[${i}].role "${r.role}" is not a role of the template (${template.roles.map((s) => s.name).join(', ')}).`,
      );
    }
    if (bySlot.has(slot)) throw new AppError('validation_failed', `Two recipients fill the role "${template.roles[slot]?.name}".`);
    bySlot.set(slot, r);
  });
  const missing: string[] = [];
  const out = template.roles.map((slot, i) => {
    const r = bySlot.get(i) ?? slot.recipient;
    if (!r || (!r.email && slot.role !== 'seal')) {
      missing.push(slot.name);
      return undefined;
    }
    return { name: r.name, ...(r.email ? { email: r.email } : {}), role: slot.role, order: slot.order };
  });
  if (missing.length) {
    throw new AppError('validation_failed', `No recipient for the role(s): ${missing.join(', ')}.`, { missingRoles: missing });
  }
  return out as NonNullable<(typeof out)[number]>[];
};

/**
 * One envelope from a template: recipients into role slots, merge values into the
 * document, then createEnvelope (which validates everything again and stores nothing on a
 * bad request) or, when asked to send, createSentEnvelope (created and sent in one write).
 * `envelopeId` makes it idempotent for bulk rows: a second attempt with the same id fails with
 * `conflict` instead of a duplicate.
 */
export const createEnvelopeFromTemplate = async (
  deps: EnvelopeDeps,
  template: Template,
  input: CreateFromTemplateInput,
  meta: RequestMeta,
  /** `tenant`: the template's tenant, already read (a bulk chunk reads it once for its rows). */
  options: { readonly envelopeId?: string; readonly tenant?: Tenant } = {},
): Promise<Envelope> => {
  assertMergeValues(template.mergeFields, input.values);
  const recipients = assignRecipients(template, input.recipients);
  const doc = await buildTemplateDocument(deps, template, input.values);
  const envelope: CreateEnvelopeInput = {
    title: doc.title,
    documents: [{ name: doc.name, content: doc.content }],
    recipients,
    fields: doc.fields,
    ...(template.labourContract ? { labourContract: mergeLabourContract(template.labourContract, input.values) } : {}),
  };
  return input.send
    ? createSentEnvelope(deps, template.tenantId, envelope, meta, options)
    : createEnvelope(deps, template.tenantId, envelope, meta, options.envelopeId ? { envelopeId: options.envelopeId } : {});
};
