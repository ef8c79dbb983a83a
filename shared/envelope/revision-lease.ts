import { AppError } from '../errors.js';
import { randomId } from '../util/bytes.js';
import type { RevisionLeaseStore } from './ports.js';

/**
 * Signer revisions of one envelope are built one at a time. A revision is built on the
 * previous one (its bytes are appended to that file), so two signers building at once means
 * one of them built for nothing: it loses the envelope's conditional write and must rebuild
 * (PDF, KMS, TSA) on the winner's revision. With fifty signers at once that was a retry storm
 * (median 30 s). Instead, the builder holds the envelope's **revision lease**:
 *
 * - across processes (Lambda containers), a lease item taken with a conditional write and an
 *   expiry (`RevisionLeaseStore`, functions/aws/dynamo-revision-lease.ts): a holder that dies
 *   frees it by itself after `ttlMs`; waiters poll with a short, growing, jittered pause;
 * - within one process (npm start, or a container handling several requests), waiters queue
 *   in arrival order behind one another and do not poll at all: the holder hands over to the
 *   next as it releases.
 *
 * The lease is for throughput, not for correctness: the envelope's conditional write on its
 * version still decides. The holder renews the lease while it builds (every third of `ttlMs`),
 * so only a holder that died loses it; one that lost it anyway (renewals failing) cannot
 * commit over a newer revision: it rebuilds. A waiter that has waited `waitMs` does not build
 * without the lease (that was the retry storm again, and a request past ~25 s is lost to API
 * Gateway's 29 s anyway): it answers 503 `service_unavailable` with Retry-After; nothing changed.
 */
export interface RevisionLeaseOptions {
  /** How long a holder may build before others may take over (a build takes well under a second). */
  readonly ttlMs?: number;
  /** How long a waiter waits for the lease before building without it. */
  readonly waitMs?: number;
  readonly logger?: { warn(message: string, data?: Record<string, unknown>): void };
}

export const REVISION_LEASE_TTL_MS = 10_000;
export const REVISION_LEASE_WAIT_MS = 25_000;

/** The in-process queue: one tail promise per envelope; each caller waits for the one before it. */
const queues = new Map<string, Promise<void>>();

/** What the work learns about its turn: `waited` = the state the caller read before may be stale. */
export interface LeaseTurn {
  readonly waited: boolean;
}

export const withRevisionLease = async <T>(
  leases: RevisionLeaseStore,
  tenantId: string,
  envelopeId: string,
  work: (turn: LeaseTurn) => Promise<T>,
  options: RevisionLeaseOptions = {},
): Promise<T> => {
  const ttlMs = options.ttlMs ?? REVISION_LEASE_TTL_MS;
  const deadline = Date.now() + (options.waitMs ?? REVISION_LEASE_WAIT_MS);
  const key = `${tenantId}\n${envelopeId}`;
  const before = queues.get(key);
  let done: () => void = () => undefined;
  const mine = new Promise<void>((resolve) => {
    done = resolve;
  });
  const tail = (before ?? Promise.resolve()).then(() => mine);
  queues.set(key, tail);
  let waited = false;
  let held = false;
  const owner = randomId(12);
  try {
    if (before) {
      waited = true;
      // Bounded like the lease itself: a stuck predecessor in this process does not hold everyone forever.
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([before, new Promise((r) => (timer = setTimeout(r, Math.max(0, deadline - Date.now()))))]);
      clearTimeout(timer);
    }
    for (let pause = 20; ; pause = Math.min(250, pause * 1.5)) {
      const now = new Date();
      if (await leases.acquire(tenantId, envelopeId, owner, now, new Date(now.getTime() + ttlMs))) {
        held = true;
        break;
      }
      waited = true;
      if (Date.now() + pause > deadline) {
        options.logger?.warn('revision lease not obtained in time', { tenantId, envelopeId });
        throw new AppError('service_unavailable', 'Other signers of this envelope are signing right now; nothing changed, retry shortly.');
      }
      await new Promise((r) => setTimeout(r, pause * (0.5 + Math.random())));
    }
    // Renewed while the work runs, so a live holder keeps it however slow a TSA or KMS is.
    const renewal = setInterval(() => {
      const now = Date.now();
      leases.renew(tenantId, envelopeId, owner, new Date(now + ttlMs)).catch(() => undefined);
    }, ttlMs / 3);
    try {
      return await work({ waited });
    } finally {
      clearInterval(renewal);
    }
  } finally {
    if (held) await leases.release(tenantId, envelopeId, owner).catch(() => undefined);
    done();
    if (queues.get(key) === tail) queues.delete(key);
  }
};
