import type { CreateEnvelopeInput } from '../envelope/create-envelope.js';
import type { DocumentStore } from '../envelope/ports.js';
import { assertMergeValues, mergeHtml, mergeText } from './merge.js';
import { renderHtml } from './render-html.js';
import { resolveFields } from './resolve-fields.js';
import type { MergeValues, Template } from './types.js';

export interface TemplateDocument {
  readonly title: string;
  readonly name: string;
  readonly content: Uint8Array;
  readonly fields: CreateEnvelopeInput['fields'];
}

/**
 * The document and fields of one envelope made from `template` with `values`: every merge
 * field must have a value (else `missing_merge_values` listing them all); HTML is merged
 * (values escaped), rendered to PDF and its anchors resolved; a PDF template is used as is.
 */
export const buildTemplateDocument = async (
  deps: { readonly documents: DocumentStore; readonly clock: { now(): Date } },
  template: Template,
  values: MergeValues,
): Promise<TemplateDocument> => {
  assertMergeValues(template.mergeFields, values);
  const title = mergeText(template.title, values).trim() || template.name;
  const name = `${template.name}.pdf`;
  if (template.source.type === 'pdf') {
    return { title, name, content: await deps.documents.get(template.source.key), fields: resolveFields(template.fields, undefined) };
  }
  const rendered = await renderHtml(mergeHtml(template.source.html, values), { title, date: deps.clock.now() });
  return { title, name, content: rendered.pdf, fields: resolveFields(template.fields, rendered) };
};
