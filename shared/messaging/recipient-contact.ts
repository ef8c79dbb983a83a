import { AppError } from '../errors.js';
import { requireCitizenId } from '../identity/citizen-id.js';
import type { IdentityRequirement } from '../identity/types.js';
import { recipientChannels } from './deliver.js';
import { requireVietnamesePhone } from './phone.js';
import type { Channel } from './ports.js';

export interface ContactInput {
  readonly email?: string;
  readonly phone?: string;
  readonly channels?: readonly Channel[];
  readonly role: string;
  /** `embedded`: reached through the tenant's page, so neither an email nor a phone is needed. */
  readonly delivery?: string;
  readonly auth?: { readonly otp?: boolean; readonly otpChannel?: Channel };
  readonly identity?: { readonly required: boolean; readonly idNumber?: string };
}

/**
 * How a new recipient is reached and proven: email and/or phone (normalised to E.164),
 * channels that each have an address, a code channel that does, and a well-formed citizen ID.
 */
export const recipientContact = (
  r: ContactInput,
  i: number,
): { email: string; phone?: string; channels?: readonly Channel[]; otpChannel?: Channel; identity?: IdentityRequirement } => {
  const email = (r.email ?? '').trim().toLowerCase();
  const phone = r.phone?.trim() ? requireVietnamesePhone(r.phone, `recipients[${i}].phone`) : undefined;
  if (!email && !phone && r.role !== 'seal' && r.delivery !== 'embedded') {
    throw new AppError('validation_failed', `recipients[${i}]: an email or a phone number is required for a ${r.role}.`);
  }
  const channels = r.channels?.length ? [...new Set(r.channels)] : undefined;
  for (const c of channels ?? []) {
    if (c === 'email' && !email) throw new AppError('validation_failed', `recipients[${i}].channels: email needs an email address.`);
    if (c !== 'email' && !phone) throw new AppError('validation_failed', `recipients[${i}].channels: ${c} needs a phone number.`);
  }
  const otpChannel = r.auth?.otpChannel;
  if (otpChannel && !r.auth?.otp) throw new AppError('validation_failed', `recipients[${i}].auth.otpChannel needs otp: true.`);
  if (otpChannel === 'email' && !email) throw new AppError('validation_failed', `recipients[${i}].auth: codes by email need an email.`);
  if (otpChannel && otpChannel !== 'email' && !phone) {
    throw new AppError('validation_failed', `recipients[${i}].auth: codes by ${otpChannel} need a phone number.`);
  }
  if (r.identity && (r.role === 'seal' || r.role === 'viewer')) {
    throw new AppError('validation_failed', `recipients[${i}]: a ${r.role} does not act through a link, so it proves no identity.`);
  }
  const identity = r.identity?.required
    ? {
        required: true,
        ...(r.identity.idNumber ? { idNumber: requireCitizenId(r.identity.idNumber, `recipients[${i}].identity.idNumber`) } : {}),
      }
    : undefined;
  if (r.identity && !r.identity.required && r.identity.idNumber)
    requireCitizenId(r.identity.idNumber, `recipients[${i}].identity.idNumber`);
  // Recorded only when it differs from the default, so existing recipients read the same.
  const isDefault = channels && recipientChannels({ email, ...(phone ? { phone } : {}) }).join() === channels.join();
  return {
    email,
    ...(phone ? { phone } : {}),
    ...(channels && !isDefault ? { channels } : {}),
    ...(otpChannel ? { otpChannel } : {}),
    ...(identity ? { identity } : {}),
  };
};
