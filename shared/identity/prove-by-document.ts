import type { EnvelopeDeps, RequestMeta } from '../envelope/deps.js';
import type { OpenedLink } from '../envelope/open-link.js';
import { AppError } from '../errors.js';
import { randomId } from '../util/bytes.js';
import { DEFAULT_IDENTITY_IMAGE_DAYS, type DocumentImages } from './ports.js';
import { assertCanProve, identityDeps, imageSha256, loadAttempts, providerCall, recordFinding } from './prove-identity.js';
import type { IdentityEvidence } from './types.js';

/**
 * eKYC: the citizen ID card (front, back) and a selfie. The images are stored encrypted first
 * (kept for the retention period as the record of what was submitted, never returned), then
 * the vendor reads the card and matches the face; recordFinding judges and records.
 */
export const proveByDocument = async (
  deps: EnvelopeDeps,
  link: OpenedLink,
  images: DocumentImages,
  meta: RequestMeta,
): Promise<IdentityEvidence> => {
  const identity = identityDeps(deps);
  const attempts = await loadAttempts(deps, link);
  assertCanProve(link, attempts);
  const provider = identity.document;
  if (!provider) {
    throw new AppError('identity_not_configured', 'No eKYC provider is configured on this deployment.');
  }
  const attempt = randomId(9);
  const prefix = `identity/${link.envelope.tenantId}/${link.envelope.id}/${link.recipient.id}/${attempt}`;
  // Kept as long as the tenant says (personal data: no longer than needed), then S3 deletes them.
  const keepDays = (await deps.tenants.get(link.envelope.tenantId))?.identityImageDays ?? DEFAULT_IDENTITY_IMAGE_DAYS;
  await Promise.all([
    identity.images.put(`${prefix}/front`, images.front, keepDays),
    identity.images.put(`${prefix}/back`, images.back, keepDays),
    identity.images.put(`${prefix}/selfie`, images.selfie, keepDays),
  ]);
  const finding = await providerCall(() => provider.verifyDocument(images));
  return recordFinding(deps, link, attempts, finding, meta, {
    imageSha256: [images.front, images.back, images.selfie].map(imageSha256),
  });
};
