import { AppError, type ErrorCode } from '../../shared/errors.js';
import { checkOutboundUrl, OutboundRequestError } from '../net/guarded-fetch.js';

const WHY: Record<string, string> = {
  invalid_url: 'is not a valid absolute URL without credentials',
  scheme_not_allowed: 'must use https://',
  host_not_allowed: 'must name a public host (no localhost, single-label, trailing-dot or special-use names)',
  address_not_allowed: 'must point to a public address',
};

/**
 * Registration-time check of a URL the server will call later (the guarded fetch checks the
 * resolved address again at every connection). Returns the normalised URL.
 */
export const requireOutboundUrl = (raw: string, field: string, options: { allowLoopback: boolean; code?: ErrorCode }): string => {
  try {
    return checkOutboundUrl(raw, { allowLoopback: options.allowLoopback }).href;
  } catch (e) {
    if (!(e instanceof OutboundRequestError)) throw e;
    throw new AppError(options.code ?? 'url_not_allowed', `${field} ${WHY[e.reason] ?? 'is not allowed'}.`, { reason: e.reason });
  }
};
