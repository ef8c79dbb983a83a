import { AppError } from '../errors.js';
import type { Timestamper } from '../pki/cms.js';
import type { PlatformPki } from '../pki/platform-pki.js';
import type { Timer } from '../util/timer.js';
import { completeTransition } from './complete-envelope.js';
import type { EnvelopeDeps, RequestMeta } from './deps.js';
import { audit, type Effect, webhook } from './effects.js';
import { addLongTermRevisions } from './long-term-revisions.js';
import { claimDueRecipients } from './notify-recipients.js';
import type { EnvelopeRepository } from './ports.js';
import { REVISION_LEASE_WAIT_MS, withRevisionLease } from './revision-lease.js';
import { assertCanSign, isComplete } from './routing.js';
import { nextTurn } from './signing-batch.js';
import { timestamperFor } from './timestamper-for.js';
import { commitTransition, performAuditNow } from './transition.js';
import type { Envelope, EnvelopeDocument, Recipient, SigningGrant } from './types.js';

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
 * read, the outbox write, the conditional write and the lease are paid once per turn instead of
 * once per signer. A signer refused inside a turn (not their turn, a bad field, a signature
 * level the path cannot give) is refused alone; the others go on without them.
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
  readonly timestamper: Timestamper;
  readonly ltvTimestamper: Timestamper;
  readonly rebuildable: boolean;
  readonly queuedAt: number;
  /** Waited behind an earlier turn: the envelope it read before is stale. */
  waited: boolean;
  /** Revisions built on a base (the documents' hashes): still valid after a conflict that did not touch the documents. */
  built?: { base: string; revised: SignerRevisions };
  /** Refused inside a multi-signer turn: answered alone, the others go on. */
  refused?: unknown;
  readonly settle: { resolve(v: { envelope: Envelope; attempts: number }): void; reject(e: unknown): void };
}

/** Per envelope (tenant\nenvelope): the signers waiting in this process; present while a runner serves it. */
const queues = new Map<string, QueuedJob[]>();
/** Per envelope: the last turn's audit appends, which the next turn's wait for (the trail keeps commit order). */
const auditTails = new Map<string, Promise<void>>();

const baseOf = (e: Envelope) => e.documents.map((d) => d.sha256).join(',');

export const commitSignerRevisions = async (
  deps: EnvelopeDeps,
  grant: SigningGrant,
  timer: Timer,
  revise: Revise,
  options: SignerCommitOptions,
): Promise<{ envelope: Envelope; attempts: number }> => {
  const pki = await deps.pki();
  // The tenant's TSAs, then the platform TSA (PAdES B-T on every signature): read once per request.
  const timestamper = await timer.time('ddb', () => timestamperFor(deps, pki, grant.tenantId, options.onTimestamp));
  // The document timestamps are not the signer's: their TSA is not reported as the signer's.
  const ltvTimestamper = options.onTimestamp ? await timestamperFor(deps, pki, grant.tenantId) : timestamper;
  const key = `${grant.tenantId}\n${grant.envelopeId}`;
  const done = new Promise<{ envelope: Envelope; attempts: number }>((resolve, reject) => {
    const job: QueuedJob = {
      deps,
      grant,
      timer,
      revise,
      options,
      pki,
      timestamper,
      ltvTimestamper,
      rebuildable: options.rebuildable ?? true,
      queuedAt: Date.now(),
      waited: false,
      settle: { resolve, reject },
    };
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
    while (queue.length > 0) {
      const turn = nextTurn(queue, Date.now(), REVISION_LEASE_WAIT_MS);
      queue.splice(0, queue.length, ...turn.rest);
      for (const job of turn.expired) {
        job.settle.reject(
          new AppError('service_unavailable', 'Other signers of this envelope are signing right now; nothing changed, retry shortly.'),
        );
      }
      if (turn.batch.length === 0) continue;
      await commitTurn(turn.batch).catch((e: unknown) => {
        for (const job of turn.batch) job.settle.reject(e);
      });
      for (const job of queue) job.waited = true;
    }
  } catch (e) {
    for (const job of queue.splice(0)) job.settle.reject(e);
  } finally {
    queues.delete(key);
  }
};

/** One turn: the signers of `batch` built one on the other and committed as one state change. */
const commitTurn = async (batch: readonly QueuedJob[]): Promise<void> => {
  const head = batch[0] as QueuedJob;
  const { deps } = head;
  const { tenantId, envelopeId } = head.grant;
  // DynamoDB time of the turn counts for every signer in it (Server-Timing).
  const timeAs =
    (category: string) =>
    async <T>(f: () => Promise<T>): Promise<T> => {
      const started = performance.now();
      try {
        return await f();
      } finally {
        for (const job of batch) job.timer.add(category, performance.now() - started);
      }
    };
  const time = timeAs('ddb');
  /** The completion revisions (DSS + document timestamp), built on the signers' revisions: reused the same way. */
  let completed: { base: string; documents: readonly EnvelopeDocument[] } | undefined;
  let included: QueuedJob[] = [];
  const { before, after, attempts, items } = await withRevisionLease(deps.revisionLeases, tenantId, envelopeId, (turn) =>
    commitTransition(
      deps,
      tenantId,
      envelopeId,
      async (current) => {
        let state = current;
        const signed: { job: QueuedJob; recipient: Recipient; documents: readonly EnvelopeDocument[] }[] = [];
        for (const job of batch) {
          if (job.refused !== undefined) continue;
          try {
            const recipient = assertCanSign(state, job.grant.recipientId);
            const base = baseOf(state);
            const revised =
              job.built?.base === base
                ? job.built.revised
                : await job.revise(state, { recipient, pki: job.pki, timestamper: job.timestamper, timer: job.timer });
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
            if (batch.length === 1) throw e;
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
            documents: await addLongTermRevisions(deps, current, state.documents, {
              pki: last.job.pki,
              timestamper: last.job.ltvTimestamper,
              timer: last.job.timer,
            }),
          };
        }
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
      { time, deferAudit: true, ...(head.options.current && !turn.waited && !head.waited ? { current: head.options.current } : {}) },
    ),
  );
  // The signers' audit events, after the lease is given back: the next turn builds meanwhile,
  // and each signer hears back once their event is in the trail. Turns of one envelope append
  // in the order they committed.
  const key = `${tenantId}\n${envelopeId}`;
  const appended = (auditTails.get(key) ?? Promise.resolve()).then(() => timeAs('audit')(() => performAuditNow(deps, items)));
  auditTails.set(key, appended);
  void appended
    .catch(() => undefined)
    .then(() => {
      for (const job of batch) {
        if (job.refused !== undefined) job.settle.reject(job.refused);
        else job.settle.resolve({ envelope: after, attempts });
      }
      for (const job of included) deps.counters?.count('signatures', job.built?.revised.documents.length ?? 0);
      if (auditTails.get(key) === appended) auditTails.delete(key);
      // The worker is woken once the audit events are in (as commitTransition does without deferAudit): woken
      // before, it would find them claimed by nobody and gone mid-way, and hold back the head signature behind them.
      if (items.length) deps.outboxSignal.notify(tenantId, envelopeId);
      // Local fault injection (tests): the service dies right after the completing write, before any owed effect ran.
      if (after.status === 'completed' && before.status !== 'completed') deps.crashPoint?.('after-completion-commit');
    });
};
