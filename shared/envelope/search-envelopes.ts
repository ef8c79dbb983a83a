import type { EnvelopeRepository } from './ports.js';
import type { Envelope, EnvelopeStatus } from './types.js';

export interface EnvelopeQuery {
  readonly status?: EnvelopeStatus | undefined;
  /** Matched case- and accent-insensitively against the title and each recipient's name and email. */
  readonly q?: string | undefined;
}

const fold = (s: string) =>
  s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .toLowerCase();

export const matchesEnvelope = (e: Envelope, query: EnvelopeQuery): boolean => {
  if (query.status && e.status !== query.status) return false;
  const q = query.q?.trim();
  if (!q) return true;
  const needle = fold(q);
  return [e.title, ...e.recipients.flatMap((r) => [r.name, r.email])].some((s) => fold(s).includes(needle));
};

/**
 * Newest first, filtered. Pages through the tenant's envelopes (at most `scan` of them), which
 * is fine for a console; a tenant with millions of envelopes needs a search index instead.
 */
export const searchEnvelopes = async (
  envelopes: EnvelopeRepository,
  tenantId: string,
  query: EnvelopeQuery,
  options: { limit: number; scan?: number },
): Promise<Envelope[]> => {
  const out: Envelope[] = [];
  let cursor: string | undefined;
  let seen = 0;
  const scan = options.scan ?? 1000;
  do {
    const page = await envelopes.list(tenantId, { limit: 100, ...(cursor ? { cursor } : {}) });
    seen += page.items.length;
    for (const e of page.items) if (matchesEnvelope(e, query) && out.length < options.limit) out.push(e);
    cursor = page.cursor;
  } while (cursor && out.length < options.limit && seen < scan);
  return out;
};
