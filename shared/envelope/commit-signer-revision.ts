import { AppError } from '../errors.js';
import type { Timestamper } from '../pki/cms.js';
import type { PlatformPki } from '../pki/platform-pki.js';
import type { Timer } from '../util/timer.js';
import { completeTransition } from './complete-envelope.js';
import type { EnvelopeDeps, RequestMeta } from './deps.js';
import { audit, type Effect, webhook } from './effects.js';
import { addLongTermRevisions } from './long-term-revisions.js';
import { claimDueRecipients } from './notify-recipients.js';
import type { DocumentStore, EnvelopeRepository } from './ports.js';
import { REVISION_LEASE_WAIT_MS, withRevisionLease } from './revision-lease.js';
import { assertCanSign, isComplete } from './routing.js';
import { isTurnFull, nextTurn } from './signing-batch.js';
import { timestamperForTenant } from './timestamper-for.js';
import { commitTransition, performAuditNow } from './transition.js';
import { turnDocuments } from './turn-documents.js';
import type { Envelope, EnvelopeDocument, Recipient, SigningGrant, Tenant } from './types.js';

/**
 * The step every way of signing ends with: a signer's new revisions are committed together
 * with their status and everything the signature owes (audit event, webhook, the next
 * signers' links or the seal's turn, or — when they were the last — the completion revisions
 * (DSS + document timestamp, B-LTA) and the completion's effects) in one commit. The build and
 * the commit happen under the envelope's revision lease (shared/envelope/revision-lease.ts),
 * so signers of one envelope build one after another, each on the last committed revision,
 * and none builds for nothing. If another request committed meanwhile (a view, a link sent:
 * nothing that changes the documents), the built revisions are reused; if the documents did
 * change (only without the lease: it expired or was not obtained in time), `revise` runs again
 * on the newer envelope (or refuses: a pinned two-phase revision cannot be rebuilt, so it
 * throws document_changed instead).
 *
 * Signers of one envelope who arrive while another is building wait in this process's queue
 * for the envelope, and are then built and committed **together**, in arrival order, as one
 * state change (shared/envelope/signing-batch.ts says who goes together): each builds on the
 * revision of the one before, exactly as if they had committed one by one, but the envelope
 * read, the tenant read, the outbox write, the conditional write and the lease are paid once per
 * turn instead of once per signer. A signer refused inside a turn (not their turn, a bad field, a
 * signature level the path cannot give) is refused alone; the others go on without them.
 *
 * Only what depends on the revision before is done one signer after another (the PDF, the
 * signature and its timestamp, which covers the signature value). The rest is taken off that
 * chain: each signer's `prepare` (the one-time certificate, a KMS Sign) runs for all waiting
 * signers at once, the next turn's while this one builds; the revisions' S3 puts are sent as
 * they are built and awaited together before the commit (turn-documents.ts).
 */
export interface SignerRevisions {
  /** Every document of the envelope, with the signer's new revisions in place. */
  readonly documents: readonly EnvelopeDocument[];
  /** Field values the signer filled, by field id. */
  readonly values: ReadonlyMap<string, string>;
}

export interface ReviseContext {
  readonly recipient: Recipient;
  readonly pki: PlatformPki;
  readonly timestamper: Timestamper;
  readonly timer: Timer;
  /** Where the base revision is read and the new one stored: the turn's store (turn-documents.ts). */
  readonly documents: DocumentStore;
}

/** The envelope store with its reads and writes counted as DynamoDB time (for Server-Timing). */
export const timedReadsAndWrites = (envelopes: EnvelopeRepository, timer: Timer): EnvelopeRepository => ({
  ...envelopes,
  get: (tenantId, envelopeId) => timer.time('ddb', () => envelopes.get(tenantId, envelopeId)),
  update: (next) => timer.time('ddb', () => envelopes.update(next)),
});

export interface SignerCommitOptions {
  /** When the signer signed (the /M time of their revisions). */
  readonly signedAt: Date;
  /** Hears which TSA stamped each of the signer's signatures (URL or "platform"), for the audit trail. */
  readonly onTimestamp?: (source: string) => void;
  /** Request metadata and what the `recipient.signed` audit event says about how they signed. */
  readonly meta: RequestMeta;
  readonly data: Readonly<Record<string, unknown>> | (() => Readonly<Record<string, unknown>>);
  /** The envelope as already read by the caller (the first attempt uses it). */
  readonly current?: Envelope;
  /**
   * False when the revision is pinned to one base (a token or remote CA signed its hashes at
   * prepare): such a signer heads a turn of their own and is never built after another.
   */
  readonly rebuildable?: boolean;
  /**
   * The signer's work that does not depend on the revision before (the one-time certificate:
   * a KMS Sign), started as soon as an envelope is known: at once when the caller read it
   * (`current`), else when a turn reads it, for every signer waiting then — so a turn's
   * certificates are issued at the same time, and the next turn's while this one builds. A
   * failure is not reported from here: `revise` then does the work itself and fails with the reason.
   */
  readonly prepare?: (current: Envelope, pki: PlatformPki) => Promise<void>;
}

type Revise = (current: Envelope, context: ReviseContext) => Promise<SignerRevisions>;

/** One signer waiting for, or inside, a turn of their envelope. */
interface QueuedJob {
  readonly deps: EnvelopeDeps;
  readonly grant: SigningGrant;
  readonly timer: Timer;
  readonly revise: Revise;
  readonly options: SignerCommitOptions;
  readonly pki: PlatformPki;
  readonly rebuildable: boolean;
  readonly queuedAt: number;
  /** Waited behind an earlier turn: the envelope it read before is stale. */
  waited: boolean;
  /** Revisions built on a base (the documents' hashes): still valid after a conflict that did not touch the documents. */
  built?: { base: string; revised: SignerRevisions };
  /** Refused inside a multi-signer turn: answered alone, the others go on. */
  refused?: unknown;
  /** `options.prepare`, once started (it never rejects). */
  prepared?: Promise<void>;
  readonly settle: { resolve(v: { envelope: Envelope; attempts: number }): void; reject(e: unknown): void };
}

/** Per envelope (tenant\nenvelope): the signers waiting in this process; present while a runner serves it. */
const queues = new Map<string, QueuedJob[]>();
/** Per envelope: the last turn's audit appends, which the next turn's wait for (the trail keeps commit order). */
const auditTails = new Map<string, Promise<void>>();
/** Per envelope: a turn owes the worker a wake-up, given when the last pending turn's audit events are in. */
const woken = new Set<string>();
/** Per envelope: the last turn's audit appends until its events are in the trail (the items' retire not awaited). */
const inTrail = new Map<string, Promise<unknown>>();

/**
 * Resolves once the audit events of every turn this process committed for the envelope are in
 * the trail (at once when none is under way): what readers of the trail wait for, since signers
 * are answered at the commit. A failed append resolves too (the items stay owed; the worker appends them).
 */
export const auditAppended = (tenantId: string, envelopeId: string): Promise<void> =>
  (inTrail.get(`${tenantId}\n${envelopeId}`) ?? Promise.resolve()).then(
    () => undefined,
    () => undefined,
  );

const baseOf = (e: Envelope) => e.documents.map((d) => d.sha256).join(',');

const prepareOn = (job: QueuedJob, current: Envelope) => {
  job.prepared ??= job.options.prepare?.(current, job.pki).catch(() => undefined);
};

export const commitSignerRevisions = async (
  deps: EnvelopeDeps,
  grant: SigningGrant,
  timer: Timer,
  revise: Revise,
  options: SignerCommitOptions,
): Promise<{ envelope: Envelope; attempts: number }> => {
  const pki = await deps.pki();
  const key = `${grant.tenantId}\n${grant.envelopeId}`;
  const done = new Promise<{ envelope: Envelope; attempts: number }>((resolve, reject) => {
    const job: QueuedJob = {
      deps,
      grant,
      timer,
      revise,
      options,
      pki,
      rebuildable: options.rebuildable ?? true,
      queuedAt: Date.now(),
      waited: false,
      settle: { resolve, reject },
    };
    if (options.current) prepareOn(job, options.current);
    const queue = queues.get(key);
    if (queue) {
      job.waited = true;
      queue.push(job);
    } else {
      queues.set(key, [job]);
      void serveEnvelope(key);
    }
  });
  return done;
};

/** Serves one envelope's queue in this process, turn after turn, until nobody waits. */
const serveEnvelope = async (key: string): Promise<void> => {
  const queue = queues.get(key) as QueuedJob[];
  try {
    while (queue.length > 0) await takeTurn(queue);
  } catch (e) {
    for (const job of queue.splice(0)) job.settle.reject(e);
  } finally {
    queues.delete(key);
  }
};

/** Signers of a turn past `cut` were not built (the turn was full by time): they go first in the next. */
interface TurnLimit {
  cut: number;
}

/**
 * One turn: the envelope's revision lease is taken (the tenant read meanwhile), and only then is
 * it decided who goes (signing-batch.ts) — everyone who arrived while it was awaited.
 */
const takeTurn = async (queue: QueuedJob[]): Promise<void> => {
  const { deps, grant } = queue[0] as QueuedJob;
  const tenant = deps.tenants.get(grant.tenantId);
  tenant.catch(() => undefined);
  let batch: readonly QueuedJob[] | undefined;
  const limit: TurnLimit = { cut: Number.POSITIVE_INFINITY };
  const pick = () => {
    const turn = nextTurn(queue, Date.now(), REVISION_LEASE_WAIT_MS);
    queue.splice(0, queue.length, ...turn.rest);
    for (const job of turn.expired) {
      job.settle.reject(
        new AppError('service_unavailable', 'Other signers of this envelope are signing right now; nothing changed, retry shortly.'),
      );
    }
    return turn.batch;
  };
  try {
    await withRevisionLease(deps.revisionLeases, grant.tenantId, grant.envelopeId, async (lease) => {
      const picked = pick();
      batch = picked;
      if (picked.length > 0) await commitTurn(picked, queue, limit, lease.waited, tenant);
    });
  } catch (e) {
    // The turn's signers (or, when the lease was not obtained in time, those who would have gone) hear why.
    for (const job of (batch ?? pick()).slice(0, limit.cut)) job.settle.reject(e);
  }
  if (batch) queue.unshift(...batch.slice(limit.cut));
  for (const job of queue) job.waited = true;
};

/** The signers of `batch` (up to `limit.cut`) built one on the other and committed as one state change. */
const commitTurn = async (
  batch: readonly QueuedJob[],
  queue: readonly QueuedJob[],
  limit: TurnLimit,
  leaseWaited: boolean,
  tenantRead: Promise<Tenant | undefined>,
): Promise<void> => {
  const head = batch[0] as QueuedJob;
  const { deps } = head;
  const { tenantId, envelopeId } = head.grant;
  // DynamoDB (and S3) time of the turn counts for every signer in it (Server-Timing).
  const timeAs =
    (category: string) =>
    async <T>(f: () => Promise<T>): Promise<T> => {
      const started = performance.now();
      try {
        return await f();
      } finally {
        for (const job of batch.slice(0, limit.cut)) job.timer.add(category, performance.now() - started);
      }
    };
  const time = timeAs('ddb');
  // The tenant's TSAs, then the platform TSA (PAdES B-T on every signature): one read for the turn.
  const tenant = await time(() => tenantRead);
  const timestampers = new Map(
    batch.map((job) => [
      job,
      {
        signer: timestamperForTenant(deps, job.pki, tenantId, tenant, job.options.onTimestamp),
        // The document timestamps are not the signer's: their TSA is not reported as the signer's.
        document: timestamperForTenant(deps, job.pki, tenantId, tenant),
      },
    ]),
  );
  /** The completion revisions (DSS + document timestamp), built on the signers' revisions: reused the same way. */
  let completed: { base: string; documents: readonly EnvelopeDocument[] } | undefined;
  let included: QueuedJob[] = [];
  const { before, after, attempts, items } = await commitTransition(
    deps,
    tenantId,
    envelopeId,
    async (current) => {
      // This turn's certificates, and the next turn's while this one builds, all at once.
      for (const job of [...batch, ...queue]) prepareOn(job, current);
      await Promise.all(batch.slice(0, limit.cut).map((job) => job.prepared));
      const documents = turnDocuments(deps.documents);
      const started = performance.now();
      let state = current;
      const signed: { job: QueuedJob; recipient: Recipient; documents: readonly EnvelopeDocument[] }[] = [];
      for (const [i, job] of batch.entries()) {
        if (i >= limit.cut) break;
        if (isTurnFull(i, performance.now() - started)) {
          limit.cut = i;
          break;
        }
        if (job.refused !== undefined) continue;
        try {
          const recipient = assertCanSign(state, job.grant.recipientId);
          const base = baseOf(state);
          const { signer: timestamper } = timestampers.get(job) as { signer: Timestamper };
          const revised =
            job.built?.base === base
              ? job.built.revised
              : await job.revise(state, { recipient, pki: job.pki, timestamper, timer: job.timer, documents });
          job.built = { base, revised };
          const signedAt = job.options.signedAt.toISOString();
          state = {
            ...state,
            recipients: state.recipients.map((r) => (r.id === recipient.id ? { ...r, status: 'signed' as const, signedAt } : r)),
            fields: state.fields.map((f) => (revised.values.has(f.id) ? { ...f, value: revised.values.get(f.id) } : f)),
            documents: [...revised.documents],
          };
          signed.push({ job, recipient, documents: revised.documents });
        } catch (e) {
          // Alone, the refusal is the turn's answer (as it always was); with others, theirs goes on.
          if (Math.min(batch.length, limit.cut) === 1) throw e;
          job.refused = e;
        }
      }
      included = signed.map((s) => s.job);
      const last = signed.at(-1);
      if (!last) return undefined;
      const complete = isComplete(state);
      if (complete && completed?.base !== baseOf(state)) {
        completed = {
          base: baseOf(state),
          documents: await addLongTermRevisions({ ...deps, documents }, current, state.documents, {
            pki: last.job.pki,
            timestamper: (timestampers.get(last.job) as { document: Timestamper }).document,
            timer: last.job.timer,
          }),
        };
      }
      // Every revision the commit names is stored before it is named.
      await timeAs('s3')(() => documents.flush());
      const effects: Effect[] = signed.flatMap(({ job, recipient, documents }) => {
        // The completing signer's event names the final documents (with the B-LTA revisions).
        const named = complete && job === last.job ? (completed?.documents ?? documents) : documents;
        const data = job.options.data;
        return [
          audit({
            at: job.options.signedAt.toISOString(),
            action: 'recipient.signed',
            actor: { type: 'recipient', id: recipient.id, email: recipient.email },
            ...job.options.meta,
            data: {
              documents: named.map((d) => ({ id: d.id, sha256: d.sha256 })),
              ...(typeof data === 'function' ? data() : data),
            },
          }),
          webhook('recipient.signed', { envelopeId: current.id, recipientId: recipient.id }),
        ];
      });
      if (!complete) {
        const claimed = claimDueRecipients(state, deps.clock.now());
        return { next: claimed.next, effects: [...effects, ...claimed.effects] };
      }
      const completedAt = last.job.options.signedAt.toISOString();
      return completeTransition(
        { ...state, documents: [...(completed?.documents ?? [])], status: 'completed', completedAt },
        effects,
        completedAt,
      );
    },
    // After waiting, the envelope read before is stale: read it again (a conflict less).
    { time, deferAudit: true, ...(head.options.current && !leaseWaited && !head.waited ? { current: head.options.current } : {}) },
  );
  // Local fault injection (tests): the service dies right after the completing write, before any owed effect ran
  // and before anyone is answered.
  if (after.status === 'completed' && before.status !== 'completed') deps.crashPoint?.('after-completion-commit');
  const members = batch.slice(0, limit.cut);
  let answered = false;
  const answer = () => {
    if (answered) return;
    answered = true;
    for (const job of members) {
      if (job.refused !== undefined) job.settle.reject(job.refused);
      else job.settle.resolve({ envelope: after, attempts });
    }
    for (const job of included) deps.counters?.count('signatures', job.built?.revised.documents.length ?? 0);
  };
  // Every signer hears back at the commit: their audit events are owed outbox items of that commit
  // (written with it), appended next by this process — or, if it dies first, by the worker or the
  // repair sweep (an owed item is never lost). The append (the chain's end, then the put: two
  // round trips) is off the answer. Readers of the trail in this process wait for it
  // (`auditAppended`, wrapped around the audit repository in functions/compose.ts), so a client that
  // reads the trail after its answer finds its event; on AWS, where a reader may be another
  // container, the event follows within the worker's first pass, as a shared turn's always did.
  answer();
  // The signers' audit events, after the lease is given back: the next turn builds meanwhile.
  // Turns of one envelope append in the order they committed.
  const key = `${tenantId}\n${envelopeId}`;
  const appendedNow = (auditTails.get(key) ?? Promise.resolve()).then(() => timeAs('audit')(() => performAuditNow(deps, items)));
  const appended = appendedNow.then(({ retired }) => retired);
  inTrail.set(key, appendedNow);
  auditTails.set(key, appended);
  void appended
    .catch(() => undefined)
    .then(() => {
      answer();
      // The worker is woken once the audit events are in (as commitTransition does without deferAudit): woken
      // before, it would find them claimed by nobody and gone mid-way, and hold back the head signature behind them.
      // Not while a later turn's are still being appended: it would append those too, racing this process.
      if (inTrail.get(key) === appendedNow) inTrail.delete(key);
      if (auditTails.get(key) === appended) {
        auditTails.delete(key);
        if (woken.delete(key) || items.length > 0) deps.outboxSignal.notify(tenantId, envelopeId);
      } else if (items.length) woken.add(key);
    });
};
