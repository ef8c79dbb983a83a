import { describe, expect, it } from 'vitest';
import { activityChartSvg } from '../../../shared/dashboard/activity-chart.js';
import { buildDashboard } from '../../../shared/dashboard/build-dashboard.js';
import type { EnvelopeSummary } from '../../../shared/dashboard/ports.js';
import type { LabourReportRow } from '../../../shared/labour/ports.js';

// 2026-12-01 10:00 in Vietnam.
const NOW = new Date('2026-12-01T03:00:00Z');
const h = (hours: number) => new Date(NOW.getTime() + hours * 3_600_000).toISOString();

const env = (id: string, status: EnvelopeSummary['status'], extra: Partial<EnvelopeSummary> = {}): EnvelopeSummary => ({
  id,
  title: `Hợp đồng ${id}`,
  status,
  createdAt: h(-500),
  recipients: [],
  ...extra,
});
const signer = (id: string, status: EnvelopeSummary['recipients'][number]['status'], extra = {}) => ({
  id,
  name: `Người ${id}`,
  role: 'signer' as const,
  order: 1,
  status,
  ...extra,
});

const labourRow = (envelopeId: string, status: LabourReportRow['status'], completedHoursAgo: number): LabourReportRow => ({
  envelopeId,
  title: 'HĐLĐ',
  act: 'contract',
  completedAt: h(-completedHoursAgo),
  employeeName: 'Nguyễn Văn An',
  employeeIdNumber: '079203001234',
  employerTaxCode: '0312345678',
  contractType: 'fixed-term',
  startDate: '2026-07-01',
  status,
  late: false,
  overdue: false,
  converted: false,
});

describe('buildDashboard', () => {
  it('counts by status, lists whose turn it is (longest first) and what expires within 7 days', () => {
    const d = buildDashboard({
      now: NOW,
      truncated: false,
      failures: [],
      labourRows: [],
      envelopes: [
        env('a', 'draft'),
        env('b', 'sent', {
          sentAt: h(-50),
          expiresAt: h(30),
          recipients: [signer('b1', 'signed'), signer('b2', 'viewed', { notifiedAt: h(-10) }), { ...signer('b3', 'pending'), order: 2 }],
        }),
        env('c', 'sent', { sentAt: h(-72), expiresAt: h(24 * 20), recipients: [signer('c1', 'notified', { notifiedAt: h(-72) })] }),
        env('d', 'sent', { sentAt: h(-5), expiresAt: h(-1), recipients: [signer('d1', 'notified', { notifiedAt: h(-5) })] }),
        env('e', 'completed', { sentAt: h(-30), completedAt: h(-2) }),
        env('f', 'voided'),
        // Not out for signing: a recipient "notified" in a declined envelope waits on nothing.
        env('g', 'declined', { recipients: [signer('g1', 'notified', { notifiedAt: h(-3) })] }),
      ],
    });
    expect(d.counts).toEqual({ draft: 1, sent: 3, completed: 1, declined: 1, voided: 1, expired: 0, total: 7 });
    expect(d.waiting.items.map((w) => [w.recipientId, w.waitingHours])).toEqual([
      ['c1', 72],
      ['b2', 10],
      ['d1', 5],
    ]);
    expect(d.waiting.items[1]).toMatchObject({ envelopeId: 'b', status: 'viewed', since: h(-10) });
    // d already passed its expiry (the sweep has not run yet): not "about to expire"; c is 20 days away.
    expect(d.expiring.items).toEqual([{ envelopeId: 'b', title: 'Hợp đồng b', expiresAt: h(30), hoursLeft: 30, waitingOn: ['Người b2'] }]);
  });

  it('30 Vietnam days of completions with the median hours to complete per day and overall', () => {
    const d = buildDashboard({
      now: NOW,
      truncated: true,
      failures: [],
      labourRows: [],
      envelopes: [
        // 2026-12-01 00:30 in Vietnam (still 30 November in UTC): today.
        env('x', 'completed', { sentAt: '2026-11-30T15:30:00Z', completedAt: '2026-11-30T17:30:00Z' }),
        env('y', 'completed', { sentAt: '2026-11-30T12:00:00Z', completedAt: '2026-12-01T02:00:00Z' }),
        env('z', 'completed', { sentAt: '2026-11-28T00:00:00Z', completedAt: '2026-11-30T10:00:00Z' }),
        // Older than 30 days: not drawn.
        env('old', 'completed', { sentAt: '2026-10-01T00:00:00Z', completedAt: '2026-10-02T00:00:00Z' }),
      ],
    });
    expect(d.truncated).toBe(true);
    expect(d.activity.days).toHaveLength(30);
    expect(d.activity.days[0]?.date).toBe('2026-11-02');
    expect(d.activity.days.at(-1)).toEqual({ date: '2026-12-01', sent: 0, completed: 2, medianHoursToComplete: 8 });
    expect(d.activity.days.at(-2)).toEqual({ date: '2026-11-30', sent: 2, completed: 1, medianHoursToComplete: 58 });
    expect(d.activity.completed).toBe(3);
    expect(d.activity.medianHoursToComplete).toBe(14);
  });

  it('labour registrations: late after 20 h and overdue after 24 h counted as of now, registered ones left out', () => {
    const d = buildDashboard({
      now: NOW,
      truncated: false,
      failures: [],
      envelopes: [],
      labourRows: [
        labourRow('p1', 'pending', 2),
        labourRow('p2', 'pending', 21),
        labourRow('s1', 'submitted', 30),
        labourRow('r1', 'rejected', 1),
        labourRow('ok', 'registered', 40),
      ],
    });
    expect(d.labour).toMatchObject({ pending: 2, submitted: 1, rejected: 1, late: 1, overdue: 1 });
    expect(d.labour.items.map((r) => r.envelopeId)).toEqual(['s1', 'p2', 'p1', 'r1']);
  });
});

describe('activityChartSvg', () => {
  const days = Array.from({ length: 30 }, (_, i) => ({
    date: `2026-11-${String(i + 1).padStart(2, '0')}`,
    sent: 0,
    completed: i % 3 === 0 ? 2 : 0,
    medianHoursToComplete: i % 3 === 0 ? 5 + i : null,
  }));

  it('draws one bar per day with completions and one per median, self-contained, in the asked language', () => {
    const vi = activityChartSvg(days, 'vi');
    expect(vi.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(vi.endsWith('</svg>')).toBe(true);
    expect(vi).toContain('Phong bì hoàn tất mỗi ngày');
    expect(vi).toContain('Thời gian hoàn tất (trung vị, giờ)');
    expect(vi.match(/<rect /g)).toHaveLength(20);
    expect(vi).not.toMatch(/<script|href=|url\(|on[a-z]+=/i);
    const en = activityChartSvg(days, 'en');
    expect(en).toContain('Envelopes completed per day');
    expect(en).not.toContain('Phong bì');
  });

  it('says so when nothing was completed', () => {
    const empty = activityChartSvg(
      days.map((d) => ({ ...d, completed: 0, medianHoursToComplete: null })),
      'vi',
    );
    expect(empty).toContain('Chưa có phong bì nào hoàn tất trong 30 ngày qua.');
    expect(empty).not.toContain('<rect ');
  });
});
