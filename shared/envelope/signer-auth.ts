import { randomBytes, randomInt, scryptSync, timingSafeEqual } from 'node:crypto';
import { AppError } from '../errors.js';
import { requireIdentityProven } from '../identity/require-identity.js';
import { sendToRecipient } from '../messaging/deliver.js';
import type { Channel } from '../messaging/ports.js';
import { otpMessage } from '../messaging/recipient-messages.js';
import { sha256Hex } from '../util/bytes.js';
import type { EnvelopeDeps, RequestMeta } from './deps.js';
import type { OpenedLink } from './open-link.js';
import type { SignerAuthState, SignerAuthStore } from './ports.js';
import { checkCode, emptyAuthState, hashOtp, issueCode, isVerified, OTP_RULES, recordNumberSend } from './signer-auth-rules.js';
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
/** e.g. `email-link`, `email-link+otp`, `sms-link+sms-otp`, `zalo-link+ekyc-document-face`. */
export const authMethodLabel = (r: Recipient): string => {
  const parts = [`${r.channels?.[0] ?? (r.email ? 'email' : 'sms')}-link`];
  const requirement = authRequirement(r);
  if (requirement === 'otp') parts.push(otpChannelOf(r) === 'email' ? 'otp' : `${otpChannelOf(r)}-otp`);
  if (requirement === 'access-code') parts.push('access-code');
  if (r.identity?.evidence) parts.push(r.identity.evidence.method);
  return parts.join('+');
};

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

/** The code (if asked for), then proof of identity (if asked for; not needed to decline). */
export const requireVerified = async (deps: EnvelopeDeps, link: OpenedLink, options: { identity?: boolean } = {}): Promise<void> => {
  if (!(await linkIsVerified(deps, link))) {
    const how =
      authRequirement(link.recipient) === 'otp'
        ? `the one-time code sent by ${otpChannelOf(link.recipient)}`
        : 'the access code the sender gave you';
    throw new AppError('verification_required', `Enter ${how} first.`, { method: authRequirement(link.recipient) });
  }
  if (options.identity !== false) requireIdentityProven(link.recipient);
};

/**
 * Emails a fresh 6-digit code (10 minutes), rate-limited; the code itself is stored only as a hash.
 * `requestKey`: the request's Idempotency-Key, so a client's retry after a 5xx counts once (issueCode).
 */
export const sendOtp = async (
  deps: EnvelopeDeps,
  link: OpenedLink,
  meta: RequestMeta,
  requestKey?: string,
): Promise<{ expiresAt: string; channel: string }> => {
  if (authRequirement(link.recipient) !== 'otp') throw new AppError('invalid_state', 'This link does not use one-time codes.');
  const code = String(randomInt(0, 10 ** OTP_RULES.digits)).padStart(OTP_RULES.digits, '0');
  const now = deps.clock.now();
  const next = issueCode(await load(deps, link), code, now, requestKey ? sha256Hex(`kyso-otp-send:${requestKey}`) : undefined);
  const channel = otpChannelOf(link.recipient);
  // Codes to a phone are also limited per number, across envelopes and tenants (an SMS costs money and can be abused).
  if (channel !== 'email' && link.recipient.phone) await countNumberSend(deps, link.recipient.phone, now);
  await store(deps).put(next);
  const sent = await sendToRecipient(
    deps,
    link.envelope,
    link.recipient,
    otpMessage(link.recipient, {
      title: link.envelope.title,
      code,
      minutes: OTP_RULES.codeTtlMs / 60_000,
      language: link.envelope.language,
    }),
    [channel],
  );
  const via = sent.map((x) => x.channel).join('+');
  await deps.audit.append(link.envelope.tenantId, link.envelope.id, {
    at: deps.clock.now().toISOString(),
    action: 'recipient.otp_sent',
    actor: { type: 'recipient', id: link.recipient.id, email: link.recipient.email },
    ...meta,
    data: { channel: via },
  });
  return { expiresAt: next.codeExpiresAt as string, channel: via };
};

/** Where a recipient's codes go: as the sender chose, else email if they have one, else SMS. */
export const otpChannelOf = (r: Recipient): Channel => r.auth?.otpChannel ?? (r.email ? 'email' : 'sms');

/** The per-number send counter lives in the same versioned store, under a key no envelope has. */
const countNumberSend = async (deps: EnvelopeDeps, phone: string, now: Date) => {
  const key = ['PHONE', sha256Hex(`kyso-phone:${phone}`), 'otp'] as const;
  const current = (await store(deps).get(...key)) ?? emptyAuthState(...key);
  await store(deps).put(recordNumberSend(current, now));
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
