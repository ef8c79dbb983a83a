// The console home's "at a glance" part (above the envelope list at #/): envelopes by status, whose
// turn it is, what expires within 7 days, delivery failures, labour registrations needing attention,
// and the 30-day chart the server drew (GET /app/api/dashboard). Plain ES module, every value
// through el() (text nodes); the chart is the server's SVG shown as an image (data: URL: no script runs).

const STATUSES = ['draft', 'sent', 'completed', 'declined', 'voided', 'expired'];

/**
 * "3 ngày 4 giờ" / "3 d 4 h".
 * @param {Record<string, string>} S
 * @param {number} hours
 */
const duration = (S, hours) => {
  const h = Math.floor(hours);
  if (h < 1) return S.db_lessThanHour;
  const d = Math.floor(h / 24);
  return d ? `${d} ${S.db_days} ${h % 24} ${S.db_hours}` : `${h} ${S.db_hours}`;
};

/**
 * A small table in a horizontally scrolling box (360 px screens), or a muted line when empty.
 * @param {ConsoleContext['el']} el
 * @param {string} id
 * @param {string[]} heads
 * @param {unknown[][]} rows
 * @param {string} empty
 */
const table = (el, id, heads, rows, empty) =>
  rows.length
    ? el(
        'div',
        { class: 'scroll' },
        el(
          'table',
          { id },
          el(
            'thead',
            {},
            el(
              'tr',
              {},
              heads.map((h) => el('th', {}, h)),
            ),
          ),
          el(
            'tbody',
            {},
            rows.map((cells) =>
              el(
                'tr',
                {},
                cells.map((c) => el('td', {}, c)),
              ),
            ),
          ),
        ),
      )
    : el('p', { class: 'muted', id }, empty);

/**
 * @param {Pick<ConsoleContext, 'api' | 'el' | 'S' | 'fmtTime'>} ctx
 * @returns {Promise<HTMLElement>}
 */
export async function dashboardSection({ api, el, S, fmtTime }) {
  const d = await api('GET', `/dashboard?lang=${window.KYSO_LANG}`);
  const link = (/** @type {string} */ id, /** @type {string} */ text) => el('a', { href: `#/envelopes/${encodeURIComponent(id)}` }, text);
  const counts = el(
    'ul',
    { class: 'counts', id: 'dash-counts' },
    STATUSES.map((s) =>
      el('li', { 'data-status': s }, el('a', { href: `#/?status=${s}` }, el('strong', {}, String(d.counts[s])), ' ', S[`st_${s}`])),
    ),
  );
  const waiting = table(
    el,
    'dash-waiting',
    [S.titleCol, S.db_recipient, S.status, S.db_waited],
    d.waiting.items.map((w) => [link(w.envelopeId, w.title), w.name, S[`rs_${w.status}`] ?? w.status, duration(S, w.waitingHours)]),
    S.db_noneWaiting,
  );
  const expiring = table(
    el,
    'dash-expiring',
    [S.titleCol, S.db_expiresAt, S.db_left, S.db_waitingOn],
    d.expiring.items.map((x) => [link(x.envelopeId, x.title), fmtTime(x.expiresAt), duration(S, x.hoursLeft), x.waitingOn.join(', ')]),
    S.db_noneExpiring,
  );
  const failures = table(
    el,
    'dash-failures',
    [S.db_when, S.titleCol, S.db_channel, S.db_reason],
    d.deliveryFailures.items.map((f) => [
      fmtTime(f.at),
      link(f.envelopeId, f.title ?? f.envelopeId),
      `${S[`ch_${f.channel}`] ?? f.channel} · ${S[`db_kind_${f.kind}`] ?? f.kind}`,
      `${f.reason}${f.fellBackTo ? ` · ${S.db_fellBack}` : ''}`,
    ]),
    S.db_noneFailed,
  );
  const l = d.labour;
  const labour = el(
    'ul',
    { class: 'counts', id: 'dash-labour' },
    el('li', {}, el('strong', {}, String(l.pending + l.submitted)), ' ', S.lr_waiting),
    el('li', { class: 'warn' }, el('strong', {}, String(l.late)), ' ', S.lr_late),
    el('li', { class: 'bad' }, el('strong', {}, String(l.overdue)), ' ', S.lr_overdue),
    el('li', { class: 'bad' }, el('strong', {}, String(l.rejected)), ' ', S.lr_rejected),
    el('li', {}, el('a', { href: '#/labour?only=attention' }, S.db_labourOpen)),
  );
  const median = d.activity.medianHoursToComplete;
  const summary = `${d.activity.completed} ${S.db_completed30}${median === null ? '' : ` · ${S.db_median}: ${duration(S, median)}`}`;
  const chart = el(
    'figure',
    { id: 'dash-activity' },
    el('img', { src: `data:image/svg+xml;charset=utf-8,${encodeURIComponent(d.activity.chartSvg)}`, alt: `${S.db_activity}. ${summary}` }),
    el('figcaption', { class: 'muted' }, summary),
  );
  return el(
    'section',
    { id: 'dashboard', 'aria-labelledby': 'dash-title' },
    el('h1', { id: 'dash-title' }, S.db_title),
    d.truncated ? el('p', { class: 'muted' }, S.db_truncated.replace('{n}', String(d.envelopesRead))) : null,
    counts,
    el(
      'div',
      { class: 'dash-grid' },
      el('div', {}, el('h2', {}, S.db_waiting, ` (${d.waiting.total})`), waiting),
      el('div', {}, el('h2', {}, S.db_expiring, ` (${d.expiring.total})`), expiring),
      el('div', {}, el('h2', {}, S.db_failures, ` (${d.deliveryFailures.total})`), failures),
      el('div', {}, el('h2', {}, S.labour), labour),
    ),
    el('h2', {}, S.db_activity),
    chart,
  );
}
