import type { SubjectMatch } from './find-subject.js';
import { signedDocuments } from './present-subject.js';

/**
 * How big an export is, known before anything is assembled: the envelopes about the person and
 * the documents they signed, counted from the envelope items alone (no audit events, no S3).
 */
export interface ExportSize {
  readonly envelopes: number;
  readonly documents: number;
}

/** Above either count an export is a job (202 + job id), at or below it is answered at once. */
export interface ExportLimits {
  readonly envelopes: number;
  readonly documents: number;
}

/** Deployment defaults (KYSO_EXPORT_SYNC_MAX_ENVELOPES / _DOCUMENTS, functions/config.ts). */
export const DEFAULT_EXPORT_SYNC_MAX: ExportLimits = { envelopes: 20, documents: 40 };

export const exportSize = (matched: readonly SubjectMatch[]): ExportSize => ({
  envelopes: matched.length,
  documents: matched.reduce((n, m) => n + signedDocuments(m).length, 0),
});

/**
 * The limits one request works under: a caller may lower them (`syncLimits`, to get a job even
 * for a small export), never raise them above the deployment's.
 */
export const effectiveExportLimits = (deployment: ExportLimits, requested?: Partial<ExportLimits>): ExportLimits => ({
  envelopes: Math.min(deployment.envelopes, requested?.envelopes ?? deployment.envelopes),
  documents: Math.min(deployment.documents, requested?.documents ?? deployment.documents),
});

/** The decision: over either limit → asynchronous. */
export const isLargeExport = (size: ExportSize, limits: ExportLimits): boolean =>
  size.envelopes > limits.envelopes || size.documents > limits.documents;
