import type { EnvelopeDeps, RequestMeta } from '../envelope/deps.js';
import { audit, type Effect } from '../envelope/effects.js';
import type { OpenedLink } from '../envelope/open-link.js';
import { commitTransition } from '../envelope/transition.js';
import type { Envelope, Recipient } from '../envelope/types.js';
import { AppError } from '../errors.js';
import { notice } from '../mail/workflow-templates.js';
import { sha256Hex } from '../util/bytes.js';
import { namesMatch } from './name-match.js';
import { type IdentityAttemptState, IdentityProviderError, type ProviderFinding } from './ports.js';
import type { IdentityEvidence } from './types.js';

/** Five failed proofs lock proofing for that recipient; the sender can void and send again. */
export const IDENTITY_RULES = { maxFailures: 5 } as const;

export const identityDeps = (deps: EnvelopeDeps) => {
  if (!deps.identity) throw new AppError('identity_not_configured', 'Identity proofing is not configured on this deployment.');
  return deps.identity;
};

export const loadAttempts = async (deps: EnvelopeDeps, link: OpenedLink): Promise<IdentityAttemptState> =>
  (await identityDeps(deps).attempts.get(link.envelope.tenantId, link.envelope.id, link.recipient.id)) ?? {
    tenantId: link.envelope.tenantId,
    envelopeId: link.envelope.id,
    recipientId: link.recipient.id,
    version: 0,
    failures: 0,
  };

/** Failed proofs of a recipient: on the recipient (since failures are committed with their effects), or on an attempt record written before. */
const failuresOf = (recipient: Recipient, attempts?: Pick<IdentityAttemptState, 'failures'>): number =>
  Math.max(recipient.identity?.failures ?? 0, attempts?.failures ?? 0);

const assertRecipientCanProve = (recipient: Recipient, attempts?: Pick<IdentityAttemptState, 'failures'>) => {
  const identity = recipient.identity;
  if (!identity?.required) throw new AppError('invalid_state', 'The sender did not ask this recipient to prove their identity.');
  if (identity.evidence) throw new AppError('invalid_state', 'Identity is already proven.');
  if (failuresOf(recipient, attempts) >= IDENTITY_RULES.maxFailures) {
    throw new AppError('identity_locked', 'Too many failed attempts: identity proofing is locked. Ask the sender for help.');
  }
};

/** Refuses when identity is not asked for, already proven, or locked. */
export const assertCanProve = (link: OpenedLink, attempts: IdentityAttemptState) => assertRecipientCanProve(link.recipient, attempts);

type Failure = 'name_mismatch' | 'id_number_mismatch' | 'face_mismatch' | 'fraud_suspected' | 'insufficient_assurance';

const judge = (deps: EnvelopeDeps, link: OpenedLink, f: ProviderFinding): Failure | undefined => {
  if (f.fraudSuspected) return 'fraud_suspected';
  if (f.method === 'ekyc-document-face' && (f.scores?.faceMatch ?? 0) < identityDeps(deps).minFaceMatch) return 'face_mismatch';
  const acr = identityDeps(deps).requiredAcr;
  if (f.method === 'vneid-oidc' && acr && f.assuranceLevel !== acr) return 'insufficient_assurance';
  const wanted = link.recipient.identity?.idNumber;
  if (wanted && f.idNumber !== wanted) return 'id_number_mismatch';
  if (!namesMatch(f.fullName, link.recipient.name)) return 'name_mismatch';
  return undefined;
};

/**
 * The outcome of one proof, whatever the provider, committed as one state change of the envelope
 * (shared/envelope/transition.ts) with what it owes: a match becomes evidence on the recipient and a
 * `recipient.identity_verified` event carrying all of it (so it is hash-chained); a failure is
 * counted on the recipient, audited with the provider's transaction id, owes the sender a notice
 * (a mismatch or suspected fraud), and locks proofing at the fifth. The count, the event and the
 * notice land together or not at all, so a 503 before the commit counts nothing and a retry
 * counts once.
 */
export const recordFinding = async (
  deps: EnvelopeDeps,
  link: OpenedLink,
  attempts: IdentityAttemptState,
  finding: ProviderFinding,
  meta: RequestMeta,
  extra: { imageSha256?: readonly string[] } = {},
): Promise<IdentityEvidence> => {
  const now = deps.clock.now().toISOString();
  const actor = { type: 'recipient' as const, id: link.recipient.id, email: link.recipient.email };
  const failure = judge(deps, link, finding);
  const evidence: IdentityEvidence = {
    provider: finding.provider,
    method: finding.method,
    transactionId: finding.transactionId,
    verifiedAt: now,
    fullName: finding.fullName,
    dateOfBirth: finding.dateOfBirth,
    idNumber: finding.idNumber,
    ...(finding.scores ? { scores: finding.scores } : {}),
    ...(finding.assuranceLevel ? { assuranceLevel: finding.assuranceLevel } : {}),
    ...(extra.imageSha256 ? { imageSha256: extra.imageSha256 } : {}),
  };
  let failures = 0;
  await commitTransition(deps, link.envelope.tenantId, link.envelope.id, (current) => {
    const recipient = current.recipients.find((r) => r.id === link.recipient.id);
    if (!recipient) throw new AppError('token_invalid', 'This link is no longer valid.');
    // Judged again on the state being committed: a parallel proof may have proven or locked it meanwhile.
    assertRecipientCanProve(recipient, attempts);
    const identity = recipient.identity as NonNullable<Recipient['identity']>;
    const withIdentity = (next: NonNullable<Recipient['identity']>) => ({
      ...current,
      recipients: current.recipients.map((r) => (r.id === recipient.id ? { ...r, identity: next } : r)),
    });
    if (!failure) {
      return {
        next: withIdentity({ ...identity, evidence }),
        effects: [audit({ at: now, action: 'recipient.identity_verified', actor, ...meta, data: { ...evidence } })],
      };
    }
    failures = failuresOf(recipient, attempts) + 1;
    const locked = failures >= IDENTITY_RULES.maxFailures;
    const effects: Effect[] = [
      audit({
        at: now,
        action: locked ? 'recipient.identity_locked' : 'recipient.identity_failed',
        actor,
        ...meta,
        data: {
          reason: failure,
          provider: finding.provider,
          method: finding.method,
          transactionId: finding.transactionId,
          failures,
          ...(finding.scores ? { scores: finding.scores } : {}),
        },
      }),
    ];
    if (current.senderEmail)
      effects.push({ kind: 'message', message: failureNotice(current.senderEmail, current, recipient, failure, failures) });
    return { next: withIdentity({ ...identity, failures, ...(locked ? { lockedAt: now } : {}) }), effects };
  });
  if (!failure) return evidence;
  if (failures >= IDENTITY_RULES.maxFailures) {
    throw new AppError('identity_locked', 'Too many failed attempts: identity proofing is locked. Ask the sender for help.');
  }
  throw new AppError('identity_mismatch', 'The proof of identity does not match this recipient.', {
    reason: failure,
    attemptsLeft: IDENTITY_RULES.maxFailures - failures,
  });
};

/** The sender's notice of a failed proof (Vietnamese first), with nothing from the proof but its reason. */
const failureNotice = (to: string, envelope: Envelope, recipient: Recipient, failure: Failure, failures: number) => {
  const locked = failures >= IDENTITY_RULES.maxFailures;
  return notice(
    to,
    envelope.language,
    {
      subject: `Xác minh danh tính không khớp: ${envelope.title}`,
      lines: [
        `Xác minh danh tính của ${recipient.name} cho "${envelope.title}" không thành công (${failure}).`,
        locked ? 'Đã thất bại 5 lần: việc xác minh bị khóa.' : `Lần thất bại thứ ${failures}/5.`,
      ],
    },
    {
      subject: `Identity check failed: ${envelope.title}`,
      lines: [
        `The identity check of ${recipient.name} for "${envelope.title}" failed (${failure}).`,
        locked ? 'It failed 5 times: identity proofing is locked.' : `Failure ${failures} of 5.`,
      ],
    },
  );
};

/** A provider that cannot answer is not the person's fault: 503, nothing counted. */
export const providerCall = async <T>(call: () => Promise<T>): Promise<T> => {
  try {
    return await call();
  } catch (e) {
    if (e instanceof IdentityProviderError && e.reason === 'refused') {
      // The card or face could not be read (blur, glare): the person tries again, nothing counted.
      throw new AppError('identity_mismatch', 'The images could not be read; take them again in good light.', {
        reason: 'document_unreadable',
      });
    }
    if (e instanceof IdentityProviderError) {
      throw new AppError('identity_provider_unavailable', 'The identity provider is not available right now; try again later.', {
        reason: e.reason,
      });
    }
    throw e;
  }
};

export const imageSha256 = (bytes: Uint8Array): string => sha256Hex(bytes);
