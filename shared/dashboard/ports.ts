import type { Envelope, Recipient } from '../envelope/types.js';

/** What the dashboard needs of a recipient: who, in which turn, and since when. */
export type RecipientSummary = Pick<Recipient, 'id' | 'name' | 'role' | 'order' | 'status' | 'notifiedAt' | 'viewedAt' | 'delivery'>;

/** What the dashboard needs of an envelope (the store reads only these attributes). */
export type EnvelopeSummary = Pick<Envelope, 'id' | 'title' | 'status' | 'createdAt' | 'sentAt' | 'completedAt' | 'expiresAt'> & {
  readonly recipients: readonly RecipientSummary[];
};

/**
 * The tenant's envelopes in summary form (functions/aws/dynamo-dashboard.ts). There is no
 * per-tenant status index: the store pages through the tenant's envelope items (one partition,
 * projected to the summary's attributes), at most `max` of them, and says when it stopped early.
 */
export interface DashboardSource {
  envelopeSummaries(tenantId: string, max: number): Promise<{ items: EnvelopeSummary[]; truncated: boolean }>;
}
