import type { EnvelopeStatus } from '../envelope/types.js';
import type { LabourReportRow } from '../labour/ports.js';
import { LATE_AFTER_MS, OVERDUE_AFTER_MS } from '../labour/sweep-registrations.js';
import type { DeliveryFailure } from '../messaging/ports.js';
import type { EnvelopeSummary } from './ports.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Vietnam has one time zone and no daylight saving: a day is UTC+7. */
const VN_OFFSET = 7 * HOUR;
export const ACTIVITY_DAYS = 30;
export const EXPIRING_WITHIN_DAYS = 7;
/** How many of each list the dashboard carries (the totals count them all). */
export const LIST_LIMIT = 20;

const STATUSES: readonly EnvelopeStatus[] = ['draft', 'sent', 'completed', 'declined', 'voided', 'expired'];

export const vietnamDay = (at: number): string => new Date(at + VN_OFFSET).toISOString().slice(0, 10);

const median = (xs: readonly number[]): number | null => {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};
const round1 = (x: number) => Math.round(x * 10) / 10;

export interface WaitingItem {
  readonly envelopeId: string;
  readonly title: string;
  readonly recipientId: string;
  readonly name: string;
  readonly role: string;
  readonly order: number;
  /** notified (link sent, not opened) or viewed (opened, not acted). */
  readonly status: string;
  /** When their turn came (the link was sent). */
  readonly since: string;
  readonly waitingHours: number;
}

export interface ExpiringItem {
  readonly envelopeId: string;
  readonly title: string;
  readonly expiresAt: string;
  readonly hoursLeft: number;
  /** Names of the recipients whose turn it is. */
  readonly waitingOn: string[];
}

export interface ActivityDay {
  /** Vietnam calendar day, YYYY-MM-DD. */
  readonly date: string;
  readonly sent: number;
  readonly completed: number;
  /** Median hours from sending to completion of the envelopes completed that day; null when none. */
  readonly medianHoursToComplete: number | null;
}

export interface Dashboard {
  readonly generatedAt: string;
  /** Envelopes read, and whether the read stopped at its bound (then counts cover only those read). */
  readonly envelopesRead: number;
  readonly truncated: boolean;
  readonly counts: Readonly<Record<EnvelopeStatus, number>> & { readonly total: number };
  readonly waiting: { readonly total: number; readonly items: WaitingItem[] };
  readonly expiring: { readonly withinDays: number; readonly total: number; readonly items: ExpiringItem[] };
  readonly deliveryFailures: {
    readonly sinceDays: number;
    readonly total: number;
    readonly items: (DeliveryFailure & { title?: string })[];
  };
  readonly labour: {
    readonly pending: number;
    readonly submitted: number;
    readonly rejected: number;
    /** Not registered 20 h after completion (the alarm). */
    readonly late: number;
    /** Not registered 24 h after completion (Decree 337's limit). */
    readonly overdue: number;
    readonly items: LabourReportRow[];
  };
  readonly activity: {
    readonly days: ActivityDay[];
    readonly completed: number;
    readonly medianHoursToComplete: number | null;
  };
}

export interface DashboardInput {
  readonly now: Date;
  readonly envelopes: readonly EnvelopeSummary[];
  readonly truncated: boolean;
  readonly failures: readonly DeliveryFailure[];
  readonly labourRows: readonly LabourReportRow[];
}

/** Whose turn it is: recipients of an envelope out for signing who have their link and have not acted. */
const dueRecipients = (e: EnvelopeSummary) =>
  e.status === 'sent' ? e.recipients.filter((r) => r.status === 'notified' || r.status === 'viewed') : [];

/** The console home's numbers, from the tenant's envelopes, delivery failures and labour registrations. Pure. */
export const buildDashboard = (input: DashboardInput): Dashboard => {
  const now = input.now.getTime();
  const counts = Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<EnvelopeStatus, number>;
  for (const e of input.envelopes) counts[e.status] = (counts[e.status] ?? 0) + 1;

  const waiting: WaitingItem[] = [];
  const expiring: ExpiringItem[] = [];
  for (const e of input.envelopes) {
    const due = dueRecipients(e);
    for (const r of due) {
      const since = r.notifiedAt ?? e.sentAt ?? e.createdAt;
      waiting.push({
        envelopeId: e.id,
        title: e.title,
        recipientId: r.id,
        name: r.name,
        role: r.role,
        order: r.order,
        status: r.status,
        since,
        waitingHours: round1(Math.max(0, now - Date.parse(since)) / HOUR),
      });
    }
    const expires = e.expiresAt ? Date.parse(e.expiresAt) : Number.NaN;
    if (e.status === 'sent' && expires > now && expires <= now + EXPIRING_WITHIN_DAYS * DAY) {
      expiring.push({
        envelopeId: e.id,
        title: e.title,
        expiresAt: e.expiresAt as string,
        hoursLeft: round1((expires - now) / HOUR),
        waitingOn: due.map((r) => r.name),
      });
    }
  }
  waiting.sort((a, b) => b.waitingHours - a.waitingHours || a.envelopeId.localeCompare(b.envelopeId));
  expiring.sort((a, b) => a.hoursLeft - b.hoursLeft || a.envelopeId.localeCompare(b.envelopeId));

  // The last 30 Vietnam days, today included.
  const today = Date.parse(`${vietnamDay(now)}T00:00:00Z`);
  const dates = Array.from({ length: ACTIVITY_DAYS }, (_, i) => new Date(today - (ACTIVITY_DAYS - 1 - i) * DAY).toISOString().slice(0, 10));
  const first = dates[0] as string;
  const sent = new Map<string, number>();
  const hours = new Map<string, number[]>();
  for (const e of input.envelopes) {
    if (e.sentAt && vietnamDay(Date.parse(e.sentAt)) >= first) {
      const d = vietnamDay(Date.parse(e.sentAt));
      sent.set(d, (sent.get(d) ?? 0) + 1);
    }
    if (e.status === 'completed' && e.completedAt && e.sentAt) {
      const d = vietnamDay(Date.parse(e.completedAt));
      if (d < first) continue;
      const list = hours.get(d) ?? [];
      list.push(Math.max(0, Date.parse(e.completedAt) - Date.parse(e.sentAt)) / HOUR);
      hours.set(d, list);
    }
  }
  const days = dates.map((date) => {
    const h = hours.get(date) ?? [];
    const m = median(h);
    return { date, sent: sent.get(date) ?? 0, completed: h.length, medianHoursToComplete: m === null ? null : round1(m) };
  });
  const allHours = [...hours.values()].flat();
  const overall = median(allHours);

  // The stored rows say late/overdue as of their last write; what matters is now (the 20 h / 24 h rules).
  const titles = new Map(input.envelopes.map((e) => [e.id, e.title]));
  const attention = input.labourRows
    .filter((r) => r.status !== 'registered')
    .map((r) => {
      const age = now - Date.parse(r.completedAt);
      return { ...r, late: r.late || age >= LATE_AFTER_MS, overdue: r.overdue || age >= OVERDUE_AFTER_MS };
    });
  return {
    generatedAt: input.now.toISOString(),
    envelopesRead: input.envelopes.length,
    truncated: input.truncated,
    counts: { ...counts, total: input.envelopes.length },
    waiting: { total: waiting.length, items: waiting.slice(0, LIST_LIMIT) },
    expiring: { withinDays: EXPIRING_WITHIN_DAYS, total: expiring.length, items: expiring.slice(0, LIST_LIMIT) },
    deliveryFailures: {
      sinceDays: ACTIVITY_DAYS,
      total: input.failures.length,
      items: input.failures.slice(0, LIST_LIMIT).map((f) => {
        const title = titles.get(f.envelopeId);
        return title === undefined ? f : { ...f, title };
      }),
    },
    labour: {
      pending: attention.filter((r) => r.status === 'pending').length,
      submitted: attention.filter((r) => r.status === 'submitted').length,
      rejected: attention.filter((r) => r.status === 'rejected').length,
      late: attention.filter((r) => r.late && !r.overdue).length,
      overdue: attention.filter((r) => r.overdue).length,
      // Overdue first, then late, oldest first within each.
      items: [...attention]
        .sort(
          (a, b) => Number(b.overdue) - Number(a.overdue) || Number(b.late) - Number(a.late) || a.completedAt.localeCompare(b.completedAt),
        )
        .slice(0, LIST_LIMIT),
    },
    activity: { days, completed: allHours.length, medianHoursToComplete: overall === null ? null : round1(overall) },
  };
};
