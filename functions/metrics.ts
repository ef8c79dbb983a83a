import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { RequestScope } from './request-scope.js';

/** One request's metrics, published when it is answered. */
export interface RequestMetrics {
  publish(scope: RequestScope, status: number, latencyMs: number): void;
}

export const METRICS_NAMESPACE = 'Kyso';

/**
 * Per-request metrics as CloudWatch Embedded Metric Format (Powertools Metrics): one JSON line per
 * request on stdout, which CloudWatch turns into metrics in namespace `Kyso` with the `service`
 * dimension — `Latency` (ms), `Requests`, `ServerErrors` (5xx), `Signatures` (PAdES signatures a
 * signer's request added) and `KmsCalls` (KMS operations it made) — with the request id and
 * status as metadata (searchable in the log line, not dimensions). Locally the same lines go to
 * stdout. Published synchronously, so concurrent requests of `npm start` never mix their values.
 */
export const createRequestMetrics = (service: string): RequestMetrics => {
  const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: service });
  return {
    publish(scope, status, latencyMs) {
      metrics.addMetric('Requests', MetricUnit.Count, 1);
      metrics.addMetric('Latency', MetricUnit.Milliseconds, Math.round(latencyMs));
      if (status >= 500) metrics.addMetric('ServerErrors', MetricUnit.Count, 1);
      if (scope.counts.signatures) metrics.addMetric('Signatures', MetricUnit.Count, scope.counts.signatures);
      if (scope.counts.kmsCalls) metrics.addMetric('KmsCalls', MetricUnit.Count, scope.counts.kmsCalls);
      metrics.addMetadata('requestId', scope.requestId);
      metrics.addMetadata('status', String(status));
      metrics.publishStoredMetrics();
    },
  };
};

/**
 * A required external TSA failed (KYSO_TSA_REQUIRED=external and none answered: the signature was
 * refused with 503 timestamp_unavailable). Published at once as its own EMF line, from whichever
 * function signs (API, worker, outbox), always with `service` = `kyso` so the one
 * `TimestampUnavailable` alarm (infra/constructs/alarms.ts) sees every function's failures.
 */
export const TSA_OUTAGE_METRIC = { namespace: METRICS_NAMESPACE, name: 'TimestampUnavailable', service: 'kyso' } as const;

export interface OutageMetrics {
  timestampUnavailable(): void;
}

export const createOutageMetrics = (): OutageMetrics => {
  const metrics = new Metrics({ namespace: TSA_OUTAGE_METRIC.namespace, serviceName: TSA_OUTAGE_METRIC.service });
  return {
    timestampUnavailable() {
      metrics.addMetric(TSA_OUTAGE_METRIC.name, MetricUnit.Count, 1);
      metrics.publishStoredMetrics();
    },
  };
};
