import type { DocumentStore } from '../envelope/ports.js';
import type { RecipientRole } from '../envelope/types.js';
import { AppError } from '../errors.js';
import { checkTemplateParties, labourContractTexts } from '../labour/labour-template.js';
import type { LabourContractInput } from '../labour/prepare-labour-contract.js';
import { checkPages } from '../pdf/page-checks.js';
import { assertPdfWithinLimits, refuseActiveContent } from '../pdf/pdf-limits.js';
import { loadPdf, pageBoxes } from '../pdf/pdf-structure.js';
import { randomId, sha256Hex } from '../util/bytes.js';
import { requirePlainText } from '../util/plain-text.js';
import { findMergeFields, mergeHtml, slugify } from './merge.js';
import { renderHtml } from './render-html.js';
import { resolveFields } from './resolve-fields.js';
import type { Template, TemplateField, TemplateRepository } from './types.js';

export interface TemplateDeps {
  readonly templates: TemplateRepository;
  readonly documents: DocumentStore;
  readonly clock: { now(): Date };
}

export interface CreateTemplateInput {
  readonly name: string;
  readonly title?: string;
  readonly html?: string;
  readonly pdf?: Uint8Array;
  readonly roles: readonly {
    readonly name: string;
    readonly key?: string;
    readonly role: RecipientRole;
    readonly order: number;
    readonly recipient?: { readonly name: string; readonly email?: string };
  }[];
  readonly fields: readonly TemplateField[];
  /** When given, every `{{x}}` in the title and HTML must be one of these (catches typos like `{{ho_tem}}`). */
  readonly mergeFields?: readonly string[];
  /** Envelopes from this template are labour contracts; its texts may hold merge fields (`"idNumber": "{{cccd}}"`). */
  readonly labourContract?: LabourContractInput;
}

export const templateDocumentKey = (tenantId: string, templateId: string, sha256: string) =>
  `tenants/${tenantId}/templates/${templateId}/${sha256}.pdf`;

/**
 * Validates a template completely, including a dry-run rendering with each merge field's
 * own name as its value (so every anchor must be found and every field must fit a page),
 * and only then stores it. Envelope-level rules (one signature field per signer, none for
 * approvers and viewers) are checked again by createEnvelope for each envelope.
 */
export const createTemplate = async (deps: TemplateDeps, tenantId: string, input: CreateTemplateInput): Promise<Template> => {
  if (!input.html === !input.pdf) throw new AppError('validation_failed', 'A template has either an HTML source or a PDF, exactly one.');
  // Names and titles reach email subjects, certificate names and PDF stamps: no CR/LF or other controls (400 control_characters).
  requirePlainText(input.name, 'name');
  if (input.title) requirePlainText(input.title, 'title');
  input.roles.forEach((r, i) => {
    requirePlainText(r.name, `roles[${i}].name`);
    if (r.recipient) requirePlainText(r.recipient.name, `roles[${i}].recipient.name`);
  });
  const title = input.title?.trim() || input.name.trim();
  const mergeFields = findMergeFields(title, input.html ?? '', ...labourContractTexts(input.labourContract));
  if (input.mergeFields) {
    const unknown = mergeFields.filter((f) => !input.mergeFields?.includes(f));
    if (unknown.length) {
      throw new AppError('unknown_merge_field', `Unknown merge fields in the template: ${unknown.map((u) => `{{${u}}}`).join(', ')}.`, {
        unknown,
      });
    }
  }

  const keys = new Set<string>();
  const roles = input.roles.map((r, i) => {
    const key = r.key ?? slugify(r.name);
    if (!key) throw new AppError('validation_failed', `roles[${i}]: "${r.name}" gives no usable key; set roles[${i}].key.`);
    if (keys.has(key)) throw new AppError('validation_failed', `roles[${i}]: two roles share the key "${key}".`);
    keys.add(key);
    return { name: r.name.trim(), key, role: r.role, order: r.order, ...(r.recipient ? { recipient: r.recipient } : {}) };
  });
  if (input.labourContract) checkTemplateParties(input.labourContract, roles);
  input.fields.forEach((f, i) => {
    if (!roles[f.recipient]) throw new AppError('unknown_recipient', `fields[${i}].recipient ${f.recipient} does not refer to a role.`);
  });
  roles.forEach((r, i) => {
    const mine = input.fields.filter((f) => f.recipient === i);
    const sigs = mine.filter((f) => f.type === 'signature').length;
    if ((r.role === 'signer' || r.role === 'seal') && sigs !== 1) {
      throw new AppError('missing_signature_field', `Role "${r.name}" (${r.role}) needs exactly one signature field, has ${sigs}.`);
    }
    if ((r.role === 'approver' || r.role === 'viewer') && mine.length > 0) {
      throw new AppError(
        'unexpected_field',
        `Role "${r.name}" is ${r.role === 'approver' ? 'an approver' : 'a viewer'} and can have no fields.`,
      );
    }
  });

  const id = randomId(12);
  let source: Template['source'];
  if (input.html) {
    const sample = Object.fromEntries(mergeFields.map((f) => [f, f]));
    const rendered = await renderHtml(mergeHtml(input.html, sample), { date: deps.clock.now() });
    checkFit(resolveFields(input.fields, rendered), () => rendered.pageSize.height, rendered.pageCount, rendered.pageSize.width);
    source = { type: 'html', html: input.html };
  } else {
    const pdf = input.pdf as Uint8Array;
    refuseActiveContent(await assertPdfWithinLimits(pdf));
    const loaded = await loadPdf(pdf);
    checkPages(loaded.doc);
    const pages = pageBoxes(loaded.doc);
    const fields = resolveFields(input.fields, undefined);
    fields.forEach((f, i) => {
      const page = pages[f.page - 1];
      if (!page) throw new AppError('field_off_page', `fields[${i}] is on page ${f.page}, but the PDF has ${pages.length} page(s).`);
    });
    for (const [i, f] of fields.entries()) {
      const page = pages[f.page - 1] as { width: number; height: number };
      checkFit([f], () => page.height, pages.length, page.width, i);
    }
    const sha256 = sha256Hex(pdf);
    const key = templateDocumentKey(tenantId, id, sha256);
    await deps.documents.put(key, pdf);
    source = { type: 'pdf', key, sha256, pageCount: pages.length };
  }

  const template: Template = {
    id,
    tenantId,
    name: input.name.trim(),
    title,
    source,
    roles,
    fields: input.fields,
    mergeFields,
    ...(input.labourContract ? { labourContract: input.labourContract } : {}),
    createdAt: deps.clock.now().toISOString(),
  };
  await deps.templates.create(template);
  return template;
};

const checkFit = (
  fields: readonly { page: number; x: number; y: number; width: number; height: number }[],
  pageHeight: () => number,
  pageCount: number,
  pageWidth: number,
  offset = 0,
) => {
  fields.forEach((f, j) => {
    const i = offset + j;
    const fits =
      f.page >= 1 &&
      f.page <= pageCount &&
      f.x >= 0 &&
      f.y >= 0 &&
      f.x + f.width <= pageWidth + 0.01 &&
      f.y + f.height <= pageHeight() + 0.01;
    if (!fits) {
      throw new AppError(
        'field_off_page',
        `fields[${i}] (page ${f.page}, ${f.x}, ${f.y}, ${f.width}×${f.height}) does not fit on a ${Math.round(pageWidth)}×${Math.round(pageHeight())} pt page.`,
      );
    }
  });
};
