import type { FieldType, RecipientRole } from '../envelope/types.js';
import type { LabourContractInput } from '../labour/prepare-labour-contract.js';

/**
 * A reusable contract: one document (an uploaded PDF, or HTML rendered to PDF per envelope),
 * recipient role slots, a field layout over those slots, and merge fields `{{name}}`.
 */
export interface TemplateRole {
  /** Slot name shown to people, e.g. "Người lao động". */
  readonly name: string;
  /** Column prefix in bulk CSVs, e.g. "nguoi_lao_dong" (default: the name without diacritics). */
  readonly key: string;
  readonly role: RecipientRole;
  readonly order: number;
  /** A fixed recipient for every envelope (e.g. the company's HR director); may be overridden per envelope. */
  readonly recipient?: { readonly name: string; readonly email?: string };
}

interface FieldBase {
  /** Index into the template's roles. */
  readonly recipient: number;
  readonly type: FieldType;
  readonly width: number;
  readonly height: number;
  readonly required?: boolean;
  readonly label?: string;
}
/** A field at fixed coordinates: PDF points from the top-left of the page, page 1-based. */
export interface PlacedField extends FieldBase {
  readonly page: number;
  readonly x: number;
  readonly y: number;
}
/**
 * A field placed relative to where the renderer drew `anchor` (HTML templates only): below
 * the anchor's line by `offsetY` points (default 2), centred on it (`align: 'center'`,
 * default) or starting at its left edge, shifted by `offsetX`.
 */
export interface AnchoredField extends FieldBase {
  readonly anchor: string;
  /** Which appearance of the anchor text, 1-based (default 1). */
  readonly occurrence?: number;
  readonly offsetX?: number;
  readonly offsetY?: number;
  readonly align?: 'left' | 'center';
}
export type TemplateField = PlacedField | AnchoredField;
export const isAnchored = (f: TemplateField): f is AnchoredField => 'anchor' in f && typeof f.anchor === 'string';

export interface Template {
  readonly id: string;
  readonly tenantId: string;
  readonly name: string;
  /** Title of envelopes made from it; may hold merge fields. */
  readonly title: string;
  readonly source:
    | { readonly type: 'html'; readonly html: string }
    | { readonly type: 'pdf'; readonly key: string; readonly sha256: string; readonly pageCount: number };
  readonly roles: readonly TemplateRole[];
  readonly fields: readonly TemplateField[];
  /** Every `{{name}}` used in the title and the HTML, in order of first use. */
  readonly mergeFields: readonly string[];
  /** Envelopes from it are labour contracts: texts may hold merge fields (shared/labour/labour-template.ts). */
  readonly labourContract?: LabourContractInput;
  readonly createdAt: string;
}

export type MergeValues = Readonly<Record<string, string | number>>;

export interface TemplateRepository {
  /** Fails with `conflict` if the id exists. */
  create(template: Template): Promise<void>;
  get(tenantId: string, templateId: string): Promise<Template | undefined>;
  list(tenantId: string, options: { limit: number; cursor?: string }): Promise<{ items: Template[]; cursor?: string }>;
  /** true if it existed. */
  delete(tenantId: string, templateId: string): Promise<boolean>;
}
