import type { Clock } from '../envelope/ports.js';
import type { LabourIndex } from '../labour/ports.js';
import type { DeliveryLog } from '../messaging/ports.js';
import { ACTIVITY_DAYS, buildDashboard, type Dashboard } from './build-dashboard.js';
import type { DashboardSource } from './ports.js';

/** The most envelopes one dashboard reads (a bounded read of the tenant's partition; `truncated` says when it stopped). */
export const MAX_DASHBOARD_ENVELOPES = 5000;
/** Failures listed (newest first); the total is capped there too. */
export const MAX_DASHBOARD_FAILURES = 200;
/** Labour registrations are looked at for contracts completed in the last year (the report's longest period). */
const LABOUR_LOOKBACK_DAYS = 366;
const DAY = 86_400_000;

export interface DashboardDeps {
  readonly dashboard: DashboardSource;
  readonly deliveries: Pick<DeliveryLog, 'listFailures'>;
  readonly labour?: { readonly index: Pick<LabourIndex, 'report'> };
  readonly clock: Clock;
}

/** One tenant's console home: three reads in parallel (envelope summaries, failures by time, labour report rows). */
export const getDashboard = async (deps: DashboardDeps, tenantId: string): Promise<Dashboard> => {
  const now = deps.clock.now();
  const since = new Date(now.getTime() - ACTIVITY_DAYS * DAY).toISOString();
  const [envelopes, failures, labourRows] = await Promise.all([
    deps.dashboard.envelopeSummaries(tenantId, MAX_DASHBOARD_ENVELOPES),
    deps.deliveries.listFailures(tenantId, since, MAX_DASHBOARD_FAILURES),
    deps.labour
      ? deps.labour.index.report(
          tenantId,
          new Date(now.getTime() - LABOUR_LOOKBACK_DAYS * DAY).toISOString(),
          new Date(now.getTime() + 60_000).toISOString(),
        )
      : Promise.resolve([]),
  ]);
  return buildDashboard({ now, envelopes: envelopes.items, truncated: envelopes.truncated, failures, labourRows });
};
