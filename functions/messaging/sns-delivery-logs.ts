import { gunzipSync } from 'node:zlib';
import type { CloudWatchLogsDecodedData, CloudWatchLogsEvent } from 'aws-lambda';
import type { EnvelopeDeps } from '../../shared/envelope/deps.js';
import { AppError } from '../../shared/errors.js';
import { applyDeliveryReceipt } from '../../shared/messaging/apply-receipt.js';
import type { DeliveryReceipt } from '../../shared/messaging/ports.js';

/**
 * SMS delivery receipts on AWS. SNS has no per-message callback for SMS: with delivery-status
 * logging switched on (SetSMSAttributes DeliveryStatusIAMRole, done by the stack:
 * infra/constructs/sms-delivery-status.ts) it writes one JSON line per message to the log groups
 * `sns/<region>/<account>/DirectPublishToPhoneNumber` (delivered) and `…/Failure`, and a
 * subscription filter on each hands them here as a CloudWatch Logs event (base64 gzip).
 *
 * A line, as SNS writes it:
 * `{"notification":{"messageId":"…","timestamp":"2026-12-01 08:40:34.558"},
 *   "delivery":{"destination":"+8491…","providerResponse":"…","dwellTimeMs":…,…},"status":"SUCCESS"}`
 * `messageId` is the Publish call's MessageId, which the delivery log recorded when it sent.
 * Only the message id, the status, the time and the provider's response are read: the
 * destination number is never kept or logged.
 */

/** Bytes of one decoded subscription payload we accept (CloudWatch sends at most ~1 MB). */
const MAX_DECODED_BYTES = 2 * 1024 * 1024;
/** The provider's words for a failure, as stored on the delivery (never the number or the text). */
const MAX_DETAIL = 200;

export interface SnsSmsReport {
  readonly messageId: string;
  readonly receipt: DeliveryReceipt;
}

/** SNS writes `YYYY-MM-DD HH:MM:SS.mmm` in UTC; anything else falls back to the log event's time. */
const snsTime = (value: unknown, fallbackMs: number): string => {
  const m = typeof value === 'string' && /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?)Z?$/.exec(value);
  const at = m ? new Date(`${m[1]}T${m[2]}Z`) : new Date(fallbackMs);
  return Number.isNaN(at.getTime()) ? new Date(fallbackMs).toISOString() : at.toISOString();
};

/** One SNS delivery-status line → a receipt, or undefined when it is not one (other log lines, junk). */
export const parseSnsDeliveryLine = (message: string, loggedAtMs: number): SnsSmsReport | undefined => {
  let line: { notification?: { messageId?: unknown; timestamp?: unknown }; status?: unknown; delivery?: { providerResponse?: unknown } };
  try {
    line = JSON.parse(message);
  } catch {
    return undefined;
  }
  const messageId = line?.notification?.messageId;
  if (typeof messageId !== 'string' || !/^[A-Za-z0-9-]{1,100}$/.test(messageId)) return undefined;
  const status = line.status === 'SUCCESS' ? 'delivered' : line.status === 'FAILURE' ? 'failed' : undefined;
  if (!status) return undefined;
  const response = line.delivery?.providerResponse;
  // Failures carry the operator's reason ("Phone is currently unreachable/unavailable", "Unknown error attempting to reach phone").
  const detail =
    status === 'failed' && typeof response === 'string' && response.trim()
      ? response
          .replace(/[\p{Cc}\p{Cf}]+/gu, ' ')
          .trim()
          .slice(0, MAX_DETAIL)
      : undefined;
  return { messageId, receipt: { status, at: snsTime(line.notification?.timestamp, loggedAtMs), ...(detail ? { detail } : {}) } };
};

/** Decodes a subscription event; refuses anything that is not the CloudWatch Logs shape. */
export const decodeLogsEvent = (event: CloudWatchLogsEvent): CloudWatchLogsDecodedData => {
  const data = event?.awslogs?.data;
  if (typeof data !== 'string' || !data) throw new AppError('bad_request', 'Not a CloudWatch Logs subscription event (awslogs.data).');
  let decoded: CloudWatchLogsDecodedData;
  try {
    const json = gunzipSync(Buffer.from(data, 'base64'), { maxOutputLength: MAX_DECODED_BYTES }).toString('utf8');
    decoded = JSON.parse(json);
  } catch {
    throw new AppError('bad_request', 'awslogs.data is not base64 gzip JSON.');
  }
  if (!decoded || typeof decoded !== 'object' || !Array.isArray(decoded.logEvents)) {
    throw new AppError('bad_request', 'awslogs.data has no logEvents.');
  }
  return decoded;
};

export interface SnsDeliveryStatusResult {
  /** Receipts applied to a delivery we sent. */
  readonly applied: number;
  /** Lines that were receipts for messages this deployment has no record of (another sender in the account), or parked. */
  readonly unmatched: number;
  /** Lines that were not delivery-status records. */
  readonly skipped: number;
}

/** Applies every receipt of one subscription event (the same code locally, behind POST /dev/sns-delivery-status). */
export const applySnsDeliveryLogs = async (deps: EnvelopeDeps, event: CloudWatchLogsEvent): Promise<SnsDeliveryStatusResult> => {
  const decoded = decodeLogsEvent(event);
  // CloudWatch checks the destination with a CONTROL_MESSAGE when the filter is created.
  if (decoded.messageType !== 'DATA_MESSAGE') return { applied: 0, unmatched: 0, skipped: decoded.logEvents.length };
  let applied = 0;
  let unmatched = 0;
  let skipped = 0;
  for (const e of decoded.logEvents) {
    const report = typeof e?.message === 'string' ? parseSnsDeliveryLine(e.message, Number(e.timestamp) || Date.now()) : undefined;
    if (!report) {
      skipped++;
      continue;
    }
    const d = await applyDeliveryReceipt(deps, 'sns', report.messageId, report.receipt);
    if (d) applied++;
    else unmatched++;
  }
  return { applied, unmatched, skipped };
};
