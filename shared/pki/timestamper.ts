import type { Clock } from '../envelope/ports.js';
import { AppError } from '../errors.js';
import type { Timestamper } from './cms.js';
import { requestTimestamp } from './timestamp-client.js';
import { createTimestampToken, type TsaCredentials } from './timestamp-token.js';

export interface TimestampSources {
  /** External RFC 3161 TSAs, tried in order. */
  readonly urls: readonly string[];
  /** Per external TSA. */
  readonly timeoutMs: number;
  /** The platform TSA: the last resort, always there. */
  readonly builtIn: TsaCredentials;
  readonly clock: Clock;
  readonly fetch?: typeof globalThis.fetch;
  /** Told when an external TSA failed and the next source is tried (for logs/audit). */
  readonly onFallback?: (url: string, error: Error) => void;
  /**
   * KYSO_TSA_REQUIRED=external: only the external TSAs count; when none answers, the signature
   * fails with 503 timestamp_unavailable (nothing is stored) instead of using the platform TSA.
   */
  readonly requireExternal?: boolean;
  /** Told which source stamped each token: the TSA's URL, or "platform" (for the audit trail). */
  readonly onStamped?: (source: string) => void;
}

/** The source name of the platform TSA in audit events. */
export const PLATFORM_TSA = 'platform';

/**
 * A Timestamper that asks each configured external TSA in turn (each with its own timeout)
 * and falls back to the platform TSA, so a TSA outage never blocks a signature — unless the
 * deployment requires an external TSA (`requireExternal`).
 */
export const chainedTimestamper =
  (sources: TimestampSources): Timestamper =>
  async (digest) => {
    for (const url of sources.urls) {
      try {
        const { token } = await requestTimestamp(url, digest, {
          timeoutMs: sources.timeoutMs,
          ...(sources.fetch ? { fetch: sources.fetch } : {}),
        });
        sources.onStamped?.(url);
        return token;
      } catch (e) {
        sources.onFallback?.(url, e as Error);
      }
    }
    if (sources.requireExternal) {
      throw new AppError(
        'timestamp_unavailable',
        sources.urls.length
          ? 'Không lấy được dấu thời gian từ tổ chức cấp dấu thời gian; chưa có gì được lưu, hãy thử lại sau. / The time-stamping authority did not answer; nothing was stored, try again later.'
          : 'This deployment requires an external time-stamping authority, but none is configured (KYSO_TSA_URLS or the tenant’s tsaUrls).',
      );
    }
    const token = await createTimestampToken({ digest, tsa: sources.builtIn, clock: sources.clock });
    sources.onStamped?.(PLATFORM_TSA);
    return token;
  };
