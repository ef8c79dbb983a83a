import type { EnvelopeDeps } from '../envelope/deps.js';
import { audit, type Effect, webhook } from '../envelope/effects.js';
import { commitTransition } from '../envelope/transition.js';
import type { Envelope } from '../envelope/types.js';
import { updateEnvelope } from '../envelope/update-envelope.js';
import { type LabourSubmission, type PartyEvidence, type RegistryAnswer, RegistryUnavailableError } from './ports.js';
import type { LabourContract, LabourRegistration } from './types.js';

export interface RegistrationJob {
  readonly tenantId: string;
  readonly envelopeId: string;
}

const HOUR = 3600_000;
/** Backoff after the n-th failed attempt: base, 2×base, 4×base, … at most an hour (the 24-hour deadline allows ~20 tries). */
export const registrationBackoffMs = (baseMs: number, attempt: number): number => Math.min(HOUR, baseMs * 2 ** Math.max(0, attempt - 1));

type Owed = Envelope & { labourContract: LabourContract & { registration: LabourRegistration } };
const isOwed = (e: Envelope | undefined): e is Owed => !!e?.labourContract?.registration;

/** The parties' identity evidence from the audit trail (how each signed; whatever identity data the signing step recorded). */
const partyEvidence = (envelope: Owed, audit: LabourSubmission['auditLog']): PartyEvidence[] => {
  const { terms, parties, conversion } = envelope.labourContract;
  const out: PartyEvidence[] = [];
  const signed = (recipientId: string) =>
    audit.filter((a) => a.action === 'recipient.signed' && a.actor.id === recipientId).at(-1) as (typeof audit)[number] | undefined;
  const evidenceOf = (data: Record<string, unknown> | undefined) => {
    const picked = Object.fromEntries(
      Object.entries(data ?? {}).filter(([k]) => ['identity', 'evidence', 'certificate', 'signer'].includes(k)),
    );
    return Object.keys(picked).length ? { evidence: picked } : {};
  };
  if (parties.employeeRecipientId) {
    const e = signed(parties.employeeRecipientId);
    out.push({
      party: 'employee',
      name: terms.employee.name,
      identifier: terms.employee.idNumber,
      method: String(e?.data?.method ?? 'email-link'),
      ...(e ? { signedAt: e.at } : {}),
      ...evidenceOf(e?.data),
    });
  } else if (conversion) {
    out.push({
      party: 'employee',
      name: terms.employee.name,
      identifier: terms.employee.idNumber,
      method: 'paper-original',
      evidence: { originalReference: conversion.originalReference, originalSignedAt: conversion.originalSignedAt },
    });
  }
  const r = signed(parties.employerRecipientId);
  out.push({
    party: 'employer',
    name: terms.employer.name,
    identifier: terms.employer.taxCode,
    method: String(r?.data?.method ?? 'email-link'),
    ...(r ? { signedAt: r.at } : {}),
    ...evidenceOf(r?.data),
  });
  return out;
};

export const buildSubmission = async (deps: EnvelopeDeps, envelope: Owed): Promise<LabourSubmission> => {
  const c = envelope.labourContract;
  const auditLog = await deps.audit.list(envelope.tenantId, envelope.id);
  const documents = await Promise.all(
    envelope.documents.map(async (d) => ({ name: d.name, sha256: d.sha256, pdf: await deps.documents.get(d.key) })),
  );
  return {
    reference: `${envelope.tenantId}:${envelope.id}`,
    act: c.act,
    ...(c.relatesTo ? { relatesTo: c.relatesTo.nationalId } : {}),
    ...(c.effectiveDate ? { effectiveDate: c.effectiveDate } : {}),
    ...(c.summary ? { summary: c.summary } : {}),
    terms: c.terms,
    ...(c.conversion ? { conversion: c.conversion } : {}),
    completedAt: c.registration.owedSince,
    documents,
    auditLog,
    parties: partyEvidence(envelope, auditLog),
  };
};

/**
 * Changes the registration with a conditional write that owes its audit events and webhooks
 * (the outbox makes them exactly once), then rewrites the projections. `change` returns
 * undefined when the registration already moved on (a duplicate attempt): nothing is written.
 */
const changeRegistration = async (
  deps: EnvelopeDeps,
  envelope: Envelope,
  change: (r: LabourRegistration) => LabourRegistration | undefined,
  effects: (r: LabourRegistration) => Effect[],
): Promise<Envelope> => {
  const { after } = await commitTransition(deps, envelope.tenantId, envelope.id, (current) => {
    const reg = current.labourContract?.registration;
    const next = reg && change(reg);
    if (!next || !current.labourContract) return undefined;
    return { next: { ...current, labourContract: { ...current.labourContract, registration: next } }, effects: effects(next) };
  });
  await deps.labour?.index.record(after);
  return after;
};

/** A termination, once registered, marks its original contract as ended (no appendix after it). Idempotent. */
const markTerminated = async (deps: EnvelopeDeps, termination: Owed, nationalId: string) => {
  const originalId = termination.labourContract.relatesTo?.envelopeId;
  if (termination.labourContract.act !== 'termination' || !originalId) return;
  await updateEnvelope(deps, termination.tenantId, originalId, (current) =>
    current.labourContract && !current.labourContract.terminatedBy
      ? { ...current, labourContract: { ...current.labourContract, terminatedBy: { envelopeId: termination.id, nationalId } } }
      : current,
  );
};

/**
 * One delivery attempt of an envelope's registration (the 'labour' job; queued by the
 * `labour-registration` effect, by itself after a backoff, by the sweep and by the retry).
 * Safe to run twice: the submission carries a stable reference, so the platform answers a
 * repeat as a duplicate with the same identifier, and each outcome is written only if the
 * registration has not moved on. Every attempt is an audit event; a transient failure
 * schedules the next attempt with backoff.
 */
export const deliverRegistration = async (deps: EnvelopeDeps, job: RegistrationJob): Promise<RegistrationStatusAfter> => {
  const labour = deps.labour;
  if (!labour) return 'skipped';
  const envelope = await deps.envelopes.get(job.tenantId, job.envelopeId);
  if (!isOwed(envelope)) return 'skipped';
  const reg = envelope.labourContract.registration;
  if (reg.status === 'registered' || reg.status === 'rejected') return reg.status;
  const now = deps.clock.now();
  if (reg.nextAttemptAt && Date.parse(reg.nextAttemptAt) > now.getTime() + 1000) {
    // An early job (a duplicate, or a delay longer than the queue allows): come back when due.
    await labour.kick(job.tenantId, job.envelopeId, Math.ceil((Date.parse(reg.nextAttemptAt) - now.getTime()) / 1000));
    return 'waiting';
  }
  const attempt = reg.attempts + 1;
  const open = (r: LabourRegistration) => r.status === 'pending' || r.status === 'submitted';
  let answer: RegistryAnswer;
  try {
    answer =
      reg.status === 'submitted' && reg.submissionId
        ? await labour.registry.status(reg.submissionId)
        : await labour.registry.submit(await buildSubmission(deps, envelope));
  } catch (e) {
    if (!(e instanceof RegistryUnavailableError)) throw e;
    const delay = registrationBackoffMs(labour.backoffBaseMs, attempt);
    const nextAttemptAt = new Date(now.getTime() + delay).toISOString();
    await changeRegistration(
      deps,
      envelope,
      (r) => (open(r) ? { ...r, attempts: r.attempts + 1, lastError: e.message, nextAttemptAt } : undefined),
      () => [attemptAudit(deps, attempt, { outcome: 'unavailable', error: e.message, nextAttemptAt })],
    );
    await labour.kick(job.tenantId, job.envelopeId, Math.ceil(delay / 1000));
    return 'retrying';
  }
  const attempted = attemptAudit(deps, attempt, {
    outcome: answer.status,
    ...(answer.submissionId ? { submissionId: answer.submissionId } : {}),
    ...(answer.status === 'registered' ? { nationalId: answer.nationalId } : {}),
    ...(answer.status === 'rejected' ? { reason: answer.reason } : {}),
  });
  const at = deps.clock.now().toISOString();
  const c = envelope.labourContract;
  if (answer.status === 'submitted') {
    const nextAttemptAt = new Date(now.getTime() + labour.pollDelayMs).toISOString();
    await changeRegistration(
      deps,
      envelope,
      (r) =>
        open(r) ? { ...r, status: 'submitted', attempts: r.attempts + 1, submissionId: answer.submissionId, nextAttemptAt } : undefined,
      () => [attempted],
    );
    await labour.kick(job.tenantId, job.envelopeId, Math.ceil(labour.pollDelayMs / 1000));
    return 'submitted';
  }
  if (answer.status === 'registered') {
    await markTerminated(deps, envelope, answer.nationalId);
    await changeRegistration(
      deps,
      envelope,
      (r) =>
        r.status === 'registered'
          ? undefined
          : {
              status: 'registered',
              owedSince: r.owedSince,
              attempts: r.attempts + 1,
              nationalId: answer.nationalId,
              registeredAt: at,
              ...(answer.submissionId ? { submissionId: answer.submissionId } : r.submissionId ? { submissionId: r.submissionId } : {}),
              ...(r.lateSince ? { lateSince: r.lateSince } : {}),
              ...(r.overdueSince ? { overdueSince: r.overdueSince, overdueReason: r.overdueReason } : {}),
            },
      (r) => {
        const data = { nationalId: r.nationalId as string, act: c.act, ...relatesTo(envelope) };
        return [
          attempted,
          audit({ at, action: 'labour_contract.registered', actor: { type: 'system' }, data }),
          webhook('labour_contract.registered', { envelopeId: envelope.id, ...data }),
        ];
      },
    );
    return 'registered';
  }
  await changeRegistration(
    deps,
    envelope,
    (r) => {
      if (!open(r)) return undefined;
      const { nextAttemptAt: _next, ...rest } = r;
      return { ...rest, status: 'rejected', attempts: r.attempts + 1, reason: answer.reason };
    },
    () => {
      const data = { reason: answer.reason, act: c.act, ...relatesTo(envelope) };
      return [
        attempted,
        audit({ at, action: 'labour_contract.rejected', actor: { type: 'system' }, data }),
        webhook('labour_contract.rejected', { envelopeId: envelope.id, ...data }),
      ];
    },
  );
  return 'rejected';
};

export type RegistrationStatusAfter = 'skipped' | 'waiting' | 'retrying' | 'submitted' | 'registered' | 'rejected';

const relatesTo = (e: Owed) => (e.labourContract.relatesTo ? { relatesTo: e.labourContract.relatesTo.nationalId } : {});

const attemptAudit = (deps: EnvelopeDeps, attempt: number, data: Record<string, unknown>): Effect =>
  audit({
    at: deps.clock.now().toISOString(),
    action: 'labour_contract.submission_attempt',
    actor: { type: 'system' },
    data: { attempt, ...data },
  });
