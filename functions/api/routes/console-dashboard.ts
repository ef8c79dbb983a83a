import { createRoute, z } from '@hono/zod-openapi';
import { activityChartSvg } from '../../../shared/dashboard/activity-chart.js';
import { getDashboard, MAX_DASHBOARD_ENVELOPES } from '../../../shared/dashboard/get-dashboard.js';
import type { AppDeps } from '../context.js';
import { createRouter, errors, jsonContent, TENANT } from '../openapi.js';

const count = z.number().int().nonnegative();
const statusCounts = z.object({
  draft: count,
  sent: count,
  completed: count,
  declined: count,
  voided: count,
  expired: count,
  total: count,
});

const WaitingSchema = z.object({
  envelopeId: z.string(),
  title: z.string(),
  recipientId: z.string(),
  name: z.string(),
  role: z.string(),
  order: z.number().int(),
  status: z.string().openapi({ description: '`notified` (link sent, not opened) or `viewed` (opened, not acted)' }),
  since: z.string().openapi({ description: 'When their turn came (ISO)' }),
  waitingHours: z.number(),
});

const ExpiringSchema = z.object({
  envelopeId: z.string(),
  title: z.string(),
  expiresAt: z.string(),
  hoursLeft: z.number(),
  waitingOn: z.array(z.string()).openapi({ description: 'Names of the recipients whose turn it is' }),
});

const FailureSchema = z.object({
  envelopeId: z.string(),
  title: z.string().optional(),
  recipientId: z.string(),
  channel: z.enum(['email', 'sms', 'zalo']),
  kind: z.string().openapi({ description: 'invitation, reminder, otp, completed, …' }),
  reason: z.string().openapi({ description: "The provider's reason (e.g. not_on_zalo, template_refused, unavailable)" }),
  at: z.string(),
  fellBackTo: z.literal('sms').optional().openapi({ description: 'Zalo failed and the message went by SMS' }),
});

const LabourRowSchema = z.object({
  envelopeId: z.string(),
  title: z.string(),
  completedAt: z.string(),
  employeeName: z.string(),
  status: z.enum(['pending', 'submitted', 'registered', 'rejected']),
  late: z.boolean(),
  overdue: z.boolean(),
  reason: z.string().optional(),
});

const DashboardSchema = z
  .object({
    generatedAt: z.string(),
    envelopesRead: count.openapi({ description: `Envelopes read (at most ${MAX_DASHBOARD_ENVELOPES})` }),
    truncated: z.boolean().openapi({ description: 'The read stopped at its bound: counts cover only the envelopes read' }),
    counts: statusCounts,
    waiting: z
      .object({ total: count, items: z.array(WaitingSchema) })
      .openapi({ description: 'Whose turn it is, longest waiting first (20 listed)' }),
    expiring: z
      .object({ withinDays: count, total: count, items: z.array(ExpiringSchema) })
      .openapi({ description: 'Envelopes out for signing that expire within 7 days, soonest first' }),
    deliveryFailures: z
      .object({ sinceDays: count, total: count, items: z.array(FailureSchema) })
      .openapi({ description: 'SMS / Zalo messages that failed in the last 30 days, newest first' }),
    labour: z
      .object({
        pending: count,
        submitted: count,
        rejected: count,
        late: count.openapi({ description: 'Not registered 20 h after completion' }),
        overdue: count.openapi({ description: 'Not registered 24 h after completion (Decree 337)' }),
        items: z.array(LabourRowSchema),
      })
      .openapi({ description: 'Labour-contract registrations not registered yet (contracts completed in the last year)' }),
    activity: z.object({
      days: z.array(
        z.object({
          date: z.string().openapi({ description: 'Vietnam calendar day (UTC+7)', example: '2026-12-01' }),
          sent: count,
          completed: count,
          medianHoursToComplete: z.number().nullable(),
        }),
      ),
      completed: count,
      medianHoursToComplete: z.number().nullable(),
      chartSvg: z.string().openapi({ description: 'The same 30 days drawn as a self-contained SVG (no script, no external resources)' }),
    }),
  })
  .openapi('Dashboard');

/** GET /v1/dashboard (mounted under /v1/dashboard and the console's /app/api/dashboard). */
export const dashboardRoutes = (deps: AppDeps) => {
  const app = createRouter();
  app.openapi(
    createRoute({
      method: 'get',
      path: '/',
      tags: ['Dashboard'],
      summary: 'What needs attention, at a glance (the console home)',
      description: `Envelopes by status, whose turn it is and for how long, what expires within 7 days, SMS/Zalo delivery failures of the last 30 days, labour-contract registrations pending, late (20 h) or overdue (24 h), and 30 days of completions and median time to complete (Vietnam days), also drawn as an SVG chart in \`lang\`. Reads at most ${MAX_DASHBOARD_ENVELOPES} of the tenant's envelopes (\`truncated\` says when it stopped there).`,
      security: TENANT,
      request: {
        query: z.object({
          lang: z.enum(['vi', 'en']).optional().openapi({ description: "The chart's language (default vi)" }),
        }),
      },
      responses: { 200: jsonContent(DashboardSchema, 'The dashboard'), ...errors('unauthorized') },
    }),
    async (c) => {
      const d = await getDashboard(deps, c.get('tenantId'));
      const lang = c.req.valid('query').lang ?? 'vi';
      return c.json(
        {
          ...d,
          labour: {
            ...d.labour,
            items: d.labour.items.map((r) => ({
              envelopeId: r.envelopeId,
              title: r.title,
              completedAt: r.completedAt,
              employeeName: r.employeeName,
              status: r.status,
              late: r.late,
              overdue: r.overdue,
              ...(r.reason ? { reason: r.reason } : {}),
            })),
          },
          deliveryFailures: {
            ...d.deliveryFailures,
            items: d.deliveryFailures.items.map(({ tenantId: _t, ...f }) => f),
          },
          activity: { ...d.activity, chartSvg: activityChartSvg(d.activity.days, lang) },
        },
        200,
      );
    },
  );
  return app;
};
