import type { AuditEvent, Envelope, SigningGrant, Tenant } from './types.js';

/**
 * Ports of the domain. Adapters live in functions/aws (DynamoDB, S3, SES, KMS) and take their
 * SDK clients as arguments; unit tests use in-memory ones.
 */
export interface EnvelopeRepository {
  /** Fails with `conflict` if the id exists. */
  create(envelope: Envelope): Promise<void>;
  get(tenantId: string, envelopeId: string): Promise<Envelope | undefined>;
  /** Writes `next` only if the stored version is `next.version - 1`; else throws AppError('conflict'). */
  update(next: Envelope): Promise<void>;
  list(tenantId: string, options: { limit: number; cursor?: string }): Promise<{ items: Envelope[]; cursor?: string }>;
}

export interface TokenRepository {
  put(tokenHash: string, grant: SigningGrant): Promise<void>;
  get(tokenHash: string): Promise<SigningGrant | undefined>;
  delete(tokenHash: string): Promise<void>;
}

export interface TenantRepository {
  create(tenant: Tenant): Promise<void>;
  get(tenantId: string): Promise<Tenant | undefined>;
  putApiKey(keyHash: string, tenantId: string): Promise<void>;
  findTenantByApiKey(keyHash: string): Promise<string | undefined>;
}

export interface AuditRepository {
  /** Appends at the end of the chain, retrying on a concurrent append. */
  append(tenantId: string, envelopeId: string, event: Omit<AuditEvent, 'seq' | 'prevHash' | 'hash'>): Promise<AuditEvent>;
  list(tenantId: string, envelopeId: string): Promise<AuditEvent[]>;
}

export interface DocumentStore {
  put(key: string, bytes: Uint8Array): Promise<void>;
  get(key: string): Promise<Uint8Array>;
}

export interface MailMessage {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

export interface Mailer {
  send(message: MailMessage): Promise<void>;
}

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
