import type { Recipient } from '../envelope/types.js';
import { AppError } from '../errors.js';

/** What the signer page needs to know: asked for, proven, and how (never the evidence's personal data). */
export const identityStatus = (r: Recipient) =>
  r.identity?.required
    ? { required: true, verified: !!r.identity.evidence, ...(r.identity.evidence ? { method: r.identity.evidence.method } : {}) }
    : { required: false, verified: false };

/** The invariant: a recipient asked to prove identity cannot sign, approve or download before the evidence is on the envelope. */
export const requireIdentityProven = (r: Recipient): void => {
  if (r.identity?.required && !r.identity.evidence) {
    throw new AppError('identity_required', 'Prove your identity with your citizen ID (CCCD) or VNeID first.');
  }
};

/** What the signer's one-time certificate names (subject UID `CCCD:<number>`), once identity is proven. */
export const verifiedIdentityOf = (r: Recipient): { idNumber: string; method: string } | undefined =>
  r.identity?.evidence ? { idNumber: r.identity.evidence.idNumber, method: r.identity.evidence.method } : undefined;
