import type { Timestamper } from '../pki/cms.js';
import type { PlatformPki } from '../pki/platform-pki.js';
import { chainedTimestamper } from '../pki/timestamper.js';
import type { EnvelopeDeps } from './deps.js';

/**
 * The timestamp source for a tenant's signatures: the tenant's own TSA URLs if it set any,
 * else the deployment's, each tried in order, then the platform TSA.
 */
export const timestamperFor = async (deps: EnvelopeDeps, pki: PlatformPki, tenantId: string): Promise<Timestamper> => {
  const tenant = await deps.tenants.get(tenantId);
  const urls = tenant?.tsaUrls?.length ? tenant.tsaUrls : (deps.tsaUrls ?? []);
  return chainedTimestamper({
    urls,
    timeoutMs: deps.tsaTimeoutMs ?? 5000,
    builtIn: pki.tsa,
    clock: deps.clock,
    ...(deps.outboundFetch ? { fetch: deps.outboundFetch } : {}),
  });
};
