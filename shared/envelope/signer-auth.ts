import { randomBytes, randomInt, scryptSync, timingSafeEqual } from 'node:crypto';
import { AppError } from '../errors.js';
import { otpEmail } from '../mail/workflow-templates.js';
import type { EnvelopeDeps, RequestMeta } from './deps.js';
import type { OpenedLink } from './open-link.js';
import type { SignerAuthState, SignerAuthStore } from './ports.js';
import { checkCode, emptyAuthState, hashOtp, issueCode, isVerified, OTP_RULES } from './signer-auth-rules.js';
import type { Recipient } from './types.js';

/** Access codes are short and chosen by people: stored only as salted scrypt hashes. */
export const hashAccessCode = (code: string): string => {
  const salt = randomBytes(16);
  return `scrypt$${salt.toString('base64')}$${scryptSync(code.trim(), salt, 32).toString('base64')}`;
};

export const accessCodeMatches = (stored: string, code: string): boolean => {
  const [kind, salt, hash] = stored.split('$');
  if (kind !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const actual = scryptSync(code.trim(), Buffer.from(salt, 'base64'), expected.length);
  return timingSafeEqual(actual, expected);
};

/** What the sender asked for beyond the link, as recorded in the audit trail (`method`). */
export type AuthRequirement = 'otp' | 'access-code' | undefined;
export const authRequirement = (r: Recipient): AuthRequirement =>
  r.auth?.otp ? 'otp' : r.auth?.accessCodeHash ? 'access-code' : undefined;
export const authMethodLabel = (r: Recipient): string =>
  ({ otp: 'email-link+otp', 'access-code': 'email-link+access-code', none: 'email-link' })[authRequirement(r) ?? 'none'];

const store = (deps: EnvelopeDeps): SignerAuthStore => {
  if (!deps.signerAuth) throw new Error('signer verification store not configured');
  return deps.signerAuth;
};

const load = async (deps: EnvelopeDeps, link: OpenedLink) =>
  (await store(deps).get(link.envelope.tenantId, link.envelope.id, link.recipient.id)) ??
  emptyAuthState(link.envelope.tenantId, link.envelope.id, link.recipient.id);

/** Whether this link may sign / download now: no verification asked for, or this token verified recently. */
export const linkIsVerified = async (deps: EnvelopeDeps, link: OpenedLink): Promise<boolean> => {
  if (!authRequirement(link.recipient)) return true;
  const state = await store(deps).get(link.envelope.tenantId, link.envelope.id, link.recipient.id);
  return isVerified(state, link.tokenHash, deps.clock.now());
};

export const requireVerified = async (deps: EnvelopeDeps, link: OpenedLink): Promise<void> => {
  if (!(await linkIsVerified(deps, link))) {
    const how = authRequirement(link.recipient) === 'otp' ? 'the one-time code sent by email' : 'the access code the sender gave you';
    throw new AppError('verification_required', `Enter ${how} first.`, { method: authRequirement(link.recipient) });
  }
};

/** Emails a fresh 6-digit code (10 minutes), rate-limited; the code itself is stored only as a hash. */
export const sendOtp = async (deps: EnvelopeDeps, link: OpenedLink, meta: RequestMeta): Promise<{ expiresAt: string }> => {
  if (authRequirement(link.recipient) !== 'otp') throw new AppError('invalid_state', 'This link does not use one-time codes.');
  const code = String(randomInt(0, 10 ** OTP_RULES.digits)).padStart(OTP_RULES.digits, '0');
  const next = issueCode(await load(deps, link), code, deps.clock.now());
  await store(deps).put(next);
  await deps.mailer.send(
    otpEmail({
      to: link.recipient.email,
      recipientName: link.recipient.name,
      title: link.envelope.title,
      code,
      minutes: OTP_RULES.codeTtlMs / 60_000,
    }),
  );
  await deps.audit.append(link.envelope.tenantId, link.envelope.id, {
    at: deps.clock.now().toISOString(),
    action: 'recipient.otp_sent',
    actor: { type: 'recipient', id: link.recipient.id, email: link.recipient.email },
    ...meta,
    data: { channel: 'email' },
  });
  return { expiresAt: next.codeExpiresAt as string };
};

/** Checks a one-time or access code; on success this token is verified for a while. Every failure counts. */
export const verifyCode = async (
  deps: EnvelopeDeps,
  link: OpenedLink,
  code: string,
  meta: RequestMeta,
): Promise<{ verifiedUntil: string; method: 'otp' | 'access-code' }> => {
  const method = authRequirement(link.recipient);
  if (!method) throw new AppError('invalid_state', 'This link needs no code.');
  const now = deps.clock.now();
  const accessHash = link.recipient.auth?.accessCodeHash;
  const current = await load(deps, link);
  const result = checkCode(current, {
    now,
    tokenHash: link.tokenHash,
    method,
    matches: (s: SignerAuthState) =>
      method === 'otp' ? s.codeHash === hashOtp(s.recipientId, code.trim()) : !!accessHash && accessCodeMatches(accessHash, code),
  });
  if (result.state.version !== current.version) await store(deps).put(result.state);
  const actor = { type: 'recipient' as const, id: link.recipient.id, email: link.recipient.email };
  if (!result.ok) {
    const locked = !!result.state.lockedUntil;
    await deps.audit.append(link.envelope.tenantId, link.envelope.id, {
      at: now.toISOString(),
      action: locked ? 'recipient.verification_locked' : 'recipient.verification_failed',
      actor,
      ...meta,
      data: { method, reason: result.reason ?? 'wrong', failures: result.state.failures },
    });
    if (locked)
      throw new AppError('code_locked', 'Too many wrong codes: verification is locked for a while.', {
        lockedUntil: result.state.lockedUntil,
      });
    const left = OTP_RULES.maxFailures - result.state.failures;
    throw new AppError(
      'code_invalid',
      result.reason === 'expired'
        ? 'The code has expired: ask for a new one.'
        : result.reason === 'none'
          ? 'Ask for a code first.'
          : 'The code is not right.',
      { attemptsLeft: left },
    );
  }
  await deps.audit.append(link.envelope.tenantId, link.envelope.id, {
    at: now.toISOString(),
    action: 'recipient.verified',
    actor,
    ...meta,
    data: { method },
  });
  return { verifiedUntil: result.state.verifiedUntil as string, method };
};
