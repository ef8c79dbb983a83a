import type { Scope } from '../console/roles.js';
import type { KeySpec } from '../pki/key-signer.js';
import type { SignerCredentials } from '../pki/platform-pki.js';
import type { AuditInput, OutboxItem } from './effects.js';
import type { AuditEvent, Envelope, SigningGrant, Tenant } from './types.js';

/**
 * Ports of the domain. Adapters live in functions/aws (DynamoDB, S3, SES, KMS) and take their
 * SDK clients as arguments; unit tests use in-memory ones.
 */
/** What EnvelopeRepository.createCommitted writes at most: the envelope, its events and items (DynamoDB's transaction limit). */
export const MAX_COMMITTED_WRITES = 100;

export interface EnvelopeRepository {
  /** Fails with `conflict` if the id exists. */
  create(envelope: Envelope): Promise<void>;
  get(tenantId: string, envelopeId: string): Promise<Envelope | undefined>;
  /** Writes `next` only if the stored version is `next.version - 1`; else throws AppError('conflict'). */
  update(next: Envelope): Promise<void>;
  /**
   * The commit step of every state change (built by shared/envelope/transition.ts): the outbox
   * items are written ahead, then `next` (whose `commits` ends with the items' commit id) only
   * if the stored version is `next.version - 1`; else the items are deleted again and
   * AppError('conflict') is thrown. State and effects are owed together or not at all.
   */
  commit(next: Envelope, items: readonly OutboxItem[]): Promise<void>;
  /**
   * A new envelope whose first state already owes effects (created and sent at once:
   * shared/envelope/create-sent-envelope.ts), in one atomic write: the envelope (AppError
   * `conflict` if the id exists), its first audit events chained from the start of its (empty)
   * trail, and the outbox items of its other effects. Returns the events as chained.
   */
  createCommitted(envelope: Envelope, events: readonly AuditInput[], items: readonly OutboxItem[]): Promise<AuditEvent[]>;
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
  /** The key's tenant and scopes (read/send/admin; absent on keys made before scopes: all of them). */
  findApiKey(keyHash: string): Promise<{ tenantId: string; scopes?: readonly Scope[] } | undefined>;
}

export interface AuditRepository {
  /**
   * Appends at the end of the chain, retrying on a concurrent append. With `effectId` (an
   * outbox item's id, or any id that names one effect, e.g. `archive:<envelopeId>`) it is
   * idempotent: an event already appended with that id among the newest is returned.
   */
  append(
    tenantId: string,
    envelopeId: string,
    event: Omit<AuditEvent, 'seq' | 'prevHash' | 'hash'>,
    options?: { readonly effectId?: string },
  ): Promise<AuditEvent>;
  /**
   * Appends several events in this order, each idempotent by its `effectId` like `append`'s
   * (one read of the chain's end for all of them, then one write for up to 100 of them, each put conditional).
   */
  appendAll(
    tenantId: string,
    envelopeId: string,
    entries: readonly { readonly event: Omit<AuditEvent, 'seq' | 'prevHash' | 'hash'>; readonly effectId: string }[],
  ): Promise<void>;
  list(tenantId: string, envelopeId: string): Promise<AuditEvent[]>;
}

export interface DocumentStore {
  put(key: string, bytes: Uint8Array): Promise<void>;
  /**
   * Stores only if nothing is stored under the key yet (S3's `If-None-Match: *`): false when
   * something is — a racing writer's bytes, which the caller then reads and uses instead of its own.
   */
  putNew(key: string, bytes: Uint8Array): Promise<boolean>;
  get(key: string): Promise<Uint8Array>;
}

export interface MailMessage {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

/** What the mail provider said when it took a message: its id, which its delivery events name later. */
export interface SentMail {
  readonly provider: 'ses';
  /** SES SendEmail's MessageId (`mail.messageId` in its bounce/complaint/delivery events). */
  readonly messageId: string;
}

/** How one email send is tied to the outbox item that owes it (see OutboxStore.refOf). */
export interface MailSendOptions {
  /**
   * The owing item's reference: SES carries it as a message tag into its own `Send` event, so the
   * event marks the item even when the worker died before it could (functions/messaging/ses-event.ts).
   */
  readonly outboxRef?: string;
}

export interface Mailer {
  send(message: MailMessage, options?: MailSendOptions): Promise<SentMail>;
}

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/**
 * One-time code / access code state of one recipient (not of one link: a lockout survives a
 * resend). `version` makes every change a conditional write.
 */
export interface SignerAuthState {
  readonly tenantId: string;
  readonly envelopeId: string;
  readonly recipientId: string;
  readonly version: number;
  /** SHA-256 of the current one-time code, and when it stops working. */
  readonly codeHash?: string;
  readonly codeExpiresAt?: string;
  /** Wrong codes since the last success or new code. */
  readonly failures: number;
  readonly lockedUntil?: string;
  /** When codes were sent (the recent ones only), for the send rate limit. */
  readonly sends: readonly string[];
  /**
   * SHA-256 of the Idempotency-Key of the request that counted the last send: the client's retry
   * of that request after a 5xx (its key released, so it runs again) is not counted again.
   */
  readonly lastSendRequest?: string;
  /** The link token (hash) that was verified, until when, and how. */
  readonly verifiedTokenHash?: string;
  readonly verifiedUntil?: string;
  readonly verifiedMethod?: 'otp' | 'access-code';
}

export interface SignerAuthStore {
  get(tenantId: string, envelopeId: string, recipientId: string): Promise<SignerAuthState | undefined>;
  /** Writes `state` only if the stored version is `state.version - 1` (0 = absent); else AppError('conflict'). */
  put(state: SignerAuthState): Promise<void>;
}

/** Envelopes out for signing, so the scheduler can sweep them (reminders, expiry) without scanning every tenant. */
export interface OpenEnvelopeIndex {
  add(tenantId: string, envelopeId: string): Promise<void>;
  remove(tenantId: string, envelopeId: string): Promise<void>;
  list(cursor?: string): Promise<{ items: { tenantId: string; envelopeId: string }[]; cursor?: string }>;
}

/** What the tenant's seal looks like from outside (POST/GET /v1/seal). */
export interface SealInfo {
  readonly tenantId: string;
  readonly keyId: string;
  readonly keySpec: KeySpec;
  readonly organization: string;
  readonly taxCode: string;
  /** DER; absent until a certificate is issued (locally: at once, by the platform CA; issue 8: uploaded after a CSR). */
  readonly certificate?: Uint8Array;
  readonly chain?: readonly Uint8Array[];
  readonly createdAt: string;
}

/**
 * The tenant's organisation seal: a KMS key per tenant and its certificate. Issue 8 adds
 * CSR download and certificate upload behind the same port.
 */
export interface SealCredentialsPort {
  provision(tenantId: string, input: { organization: string; taxCode: string; keySpec?: KeySpec }): Promise<SealInfo>;
  describe(tenantId: string): Promise<SealInfo | undefined>;
  /** Signing credentials of the seal, or undefined when it has no key or no certificate yet. */
  credentials(tenantId: string): Promise<SignerCredentials | undefined>;
}

/**
 * Effects owed by state changes (shared/envelope/effects.ts). Items are written ahead of the
 * envelope's conditional write and count only once their commit id is in `Envelope.commits`;
 * workers claim an item, perform it and retire it; a failure postpones it with backoff; the
 * repair sweep looks for items that stay owed.
 */
export interface OutboxStore {
  /** Writes the items of a commit that is about to happen. */
  prepare(items: readonly OutboxItem[]): Promise<void>;
  /** The items of one envelope still owed, in (version, index) order. */
  forEnvelope(tenantId: string, envelopeId: string): Promise<OutboxItem[]>;
  /** Items whose `notBefore` has passed, oldest first (every envelope). */
  due(now: Date, limit: number): Promise<OutboxItem[]>;
  /** Items created before `cutoff` and still there (the repair sweep and its alarm). */
  olderThan(cutoff: Date, limit: number): Promise<OutboxItem[]>;
  /** Takes the item until now + leaseMs (conditional: nobody else holds it); undefined if taken or gone. */
  claim(item: OutboxItem, now: Date, leaseMs: number): Promise<OutboxItem | undefined>;
  /**
   * Takes several items of one envelope in one write, all or none: each only if it is as read
   * (its `notBefore` unchanged, so nobody claimed or postponed it since, and no SES MessageId
   * recorded since) and due at `now`. The items as taken, or undefined if any of them was not
   * (the caller then claims one by one).
   */
  claimAll(items: readonly OutboxItem[], now: Date, leaseMs: number): Promise<OutboxItem[] | undefined>;
  /** Gives back a claimed item not performed: due again from `notBefore`, if the claim is still this one. */
  release(claimed: OutboxItem, notBefore: string): Promise<void>;
  /** Done (or orphaned: its commit never happened): the item is deleted. */
  retire(item: OutboxItem): Promise<void>;
  /** Retires several items at once (the request path's audit events, a drain's items). */
  retireAll(items: readonly OutboxItem[]): Promise<void>;
  /** Failed: one more attempt counted, tried again not before `notBefore`. */
  postpone(item: OutboxItem, notBefore: Date, error: string): Promise<void>;
  /** Its message went out (through `channels`): recorded on the item, so a rerun after a crash does not send it again. */
  markSent(item: OutboxItem, channels: string, at: Date): Promise<void>;
  /**
   * An email of the item is about to be handed to SES (`at`), or SES refused it and it surely did not
   * go (`undefined` clears the mark). A later run that finds the mark and no `emailMessageId` does not
   * know whether SES took the first one: it waits for SES's Send event before sending again.
   */
  markSending(item: OutboxItem, at: Date | undefined): Promise<void>;
  /**
   * The item's reference as an SES message tag value (letters, digits, `-`, `_`; at most 256
   * characters), or undefined if it would not fit; `markEmailAccepted` finds the item from it.
   */
  refOf(item: OutboxItem): string | undefined;
  /**
   * SES accepted the item's email (its SendEmail answered, or its Send event arrived): the MessageId
   * is recorded on the item, so no run sends it again. False if the reference names no owed item
   * (retired meanwhile, or not ours).
   */
  markEmailAccepted(ref: string, messageId: string, at: Date): Promise<boolean>;
}

/**
 * The per-envelope revision lease (shared/envelope/revision-lease.ts): who may build the next
 * signer revision of an envelope. A lease is an item taken with a conditional write and an
 * expiry, so a holder that dies frees it by itself.
 */
export interface RevisionLeaseStore {
  /** Takes the lease for `owner` until `until` if nobody holds it or its holder's time ran out at `now`; false if held. */
  acquire(tenantId: string, envelopeId: string, owner: string, now: Date, until: Date): Promise<boolean>;
  /** Extends the lease to `until`, only if `owner` still holds it; false if not. */
  renew(tenantId: string, envelopeId: string, owner: string, until: Date): Promise<boolean>;
  /** Gives it back, only if `owner` still holds it (a lease that expired and was taken by another stays theirs). */
  release(tenantId: string, envelopeId: string, owner: string): Promise<void>;
}
