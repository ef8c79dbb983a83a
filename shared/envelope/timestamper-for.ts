import type { Timestamper } from '../pki/cms.js';
import type { PlatformPki } from '../pki/platform-pki.js';
import { chainedTimestamper } from '../pki/timestamper.js';
import type { EnvelopeDeps } from './deps.js';
import type { Tenant } from './types.js';

/**
 * The timestamp source for a tenant's signatures: the tenant's own TSA URLs if it set any,
 * else the deployment's, each tried in order, then the platform TSA (never, when the
 * deployment requires an external TSA: then an outage is a 503, logged as an error and counted
 * in the TimestampUnavailable metric its alarm watches).
 * `onStamped` hears which TSA stamped each token (the audit trail records it).
 */
export const timestamperFor = async (
  deps: EnvelopeDeps,
  pki: PlatformPki,
  tenantId: string,
  onStamped?: (source: string) => void,
): Promise<Timestamper> => timestamperForTenant(deps, pki, tenantId, await deps.tenants.get(tenantId), onStamped);

/** The same, for a tenant already read (a turn of signers reads it once for all of them). */
export const timestamperForTenant = (
  deps: EnvelopeDeps,
  pki: PlatformPki,
  tenantId: string,
  tenant: Pick<Tenant, 'tsaUrls'> | undefined,
  onStamped?: (source: string) => void,
): Timestamper => {
  const urls = tenant?.tsaUrls?.length ? tenant.tsaUrls : (deps.tsaUrls ?? []);
  const timestamper = chainedTimestamper({
    urls,
    timeoutMs: deps.tsaTimeoutMs ?? 5000,
    builtIn: pki.tsa,
    clock: deps.clock,
    ...(deps.outboundFetch ? { fetch: deps.outboundFetch } : {}),
    ...(onStamped ? { onStamped } : {}),
    ...(deps.tsaRequired === 'external'
      ? {
          requireExternal: true,
          onFallback: (url: string, error: Error) =>
            deps.reportError('external TSA failed', { tenantId, tsaHost: hostOf(url), error: error.message }),
        }
      : {}),
  });
  if (deps.tsaRequired !== 'external') return timestamper;
  return async (digest) => {
    try {
      return await timestamper(digest);
    } catch (e) {
      deps.reportError('timestamp unavailable: no external TSA answered (KYSO_TSA_REQUIRED=external)', { tenantId, urls: urls.length });
      deps.outages?.timestampUnavailable();
      throw e;
    }
  };
};

const hostOf = (url: string): string => {
  try {
    return new URL(url).host;
  } catch {
    return '?';
  }
};
