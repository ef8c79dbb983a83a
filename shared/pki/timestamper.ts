import type { Clock } from '../envelope/ports.js';
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
}

/**
 * A Timestamper that asks each configured external TSA in turn (each with its own timeout)
 * and falls back to the platform TSA, so a TSA outage never blocks a signature.
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
        return token;
      } catch (e) {
        sources.onFallback?.(url, e as Error);
      }
    }
    return createTimestampToken({ digest, tsa: sources.builtIn, clock: sources.clock });
  };
