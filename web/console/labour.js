// Labour contracts in the sender console (Decree 337/2025/NĐ-CP): every contract with where its
// registration with the national platform stands, what needs attention (pending, late after
// 20 hours, overdue after 24, rejected), and a retry for the rejected. Plain ES module, no build
// step; every value goes through textContent (el()).

const DAY = 86_400_000;
const isoDay = (d) => d.toISOString().slice(0, 10);

const registrationBadge = (el, S, status) => el('span', { class: `badge r-${status}` }, S[`lr_${status}`] ?? status);

/** The flags of one registration, in words. */
const flags = (el, S, row) =>
  [
    row.overdue
      ? el('span', { class: 'badge s-declined' }, S.lr_overdue)
      : row.late
        ? el('span', { class: 'badge s-expired' }, S.lr_late)
        : null,
  ].filter(Boolean);

/** #/labour: the list, with counts of what needs attention, filtered by state and period. */
export async function showLabour({ app, api, el, S, fmtTime }, params) {
  const now = new Date();
  const from = params.get('from') || isoDay(new Date(now.getTime() - 90 * DAY));
  const to = params.get('to') || isoDay(new Date(now.getTime() + DAY));
  const only = params.get('only') || '';
  const report = await api('GET', `/reports/labour-contracts?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`);
  const rows = report.items;
  const needsAttention = (r) => r.status !== 'registered';
  const count = (f) => rows.filter(f).length;
  const summary = el(
    'ul',
    { class: 'counts', id: 'labour-counts' },
    el('li', {}, el('strong', {}, String(count((r) => r.status === 'registered'))), ' ', S.lr_registered),
    el('li', {}, el('strong', {}, String(count((r) => r.status === 'pending' || r.status === 'submitted'))), ' ', S.lr_waiting),
    el('li', { class: 'warn' }, el('strong', {}, String(count((r) => r.late && !r.overdue && needsAttention(r)))), ' ', S.lr_late),
    el('li', { class: 'bad' }, el('strong', {}, String(count((r) => r.overdue && needsAttention(r)))), ' ', S.lr_overdue),
    el('li', { class: 'bad' }, el('strong', {}, String(count((r) => r.status === 'rejected'))), ' ', S.lr_rejected),
  );
  const fromInput = el('input', { type: 'date', id: 'labour-from', value: from });
  const toInput = el('input', { type: 'date', id: 'labour-to', value: to });
  const onlySelect = el(
    'select',
    { id: 'labour-only' },
    el('option', { value: '' }, S.all),
    el('option', { value: 'attention', selected: only === 'attention' }, S.lr_attention),
    ['pending', 'submitted', 'registered', 'rejected'].map((s) => el('option', { value: s, selected: only === s }, S[`lr_${s}`])),
  );
  const form = el(
    'form',
    { class: 'filters' },
    el('div', {}, el('label', { for: 'labour-from' }, S.lr_from), fromInput),
    el('div', {}, el('label', { for: 'labour-to' }, S.lr_to), toInput),
    el('div', {}, el('label', { for: 'labour-only' }, S.status), onlySelect),
    el('button', { type: 'submit' }, S.filter),
    el(
      'a',
      {
        class: 'button secondary',
        href: `/app/api/reports/labour-contracts?format=csv&from=${from}&to=${to}`,
        download: `hop-dong-lao-dong-${from}-${to}.csv`,
      },
      S.lr_csv,
    ),
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const p = new URLSearchParams({ from: fromInput.value, to: toInput.value });
    if (onlySelect.value) p.set('only', onlySelect.value);
    location.hash = `#/labour?${p}`;
  });
  const shown = rows.filter((r) => (only === 'attention' ? needsAttention(r) : only ? r.status === only : true)).reverse();
  const tbody = el('tbody', {});
  if (!shown.length) tbody.append(el('tr', {}, el('td', { colspan: 7, class: 'muted' }, S.lr_none)));
  for (const r of shown) {
    tbody.append(
      el(
        'tr',
        { 'data-id': r.envelopeId, 'data-status': r.status },
        el('td', {}, el('a', { href: `#/envelopes/${encodeURIComponent(r.envelopeId)}` }, r.title)),
        el('td', {}, S[`act_${r.act}`] ?? r.act, r.converted ? el('span', { class: 'muted' }, ` · ${S.lr_converted}`) : ''),
        el('td', {}, r.employeeName, el('br'), el('span', { class: 'muted' }, `CCCD ${r.employeeIdNumber}`)),
        el('td', {}, fmtTime(r.completedAt)),
        el('td', {}, registrationBadge(el, S, r.status), ' ', flags(el, S, r)),
        el('td', {}, r.nationalId ? el('code', {}, r.nationalId) : ''),
        el('td', {}, r.reason ? el('q', { class: 'reason' }, r.reason) : ''),
      ),
    );
  }
  app.replaceChildren(
    el('h1', {}, S.labour),
    el('p', { class: 'muted' }, S.lr_intro),
    summary,
    form,
    el(
      'table',
      { id: 'labour' },
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          [S.titleCol, S.lr_act, S.lr_employee, S.lr_completed, S.lr_registration, S.lr_nationalId, S.lr_reason].map((h) =>
            el('th', {}, h),
          ),
        ),
      ),
      tbody,
    ),
  );
}

/** The labour contract block of one envelope's page: terms, registration, and a retry when rejected. */
export function labourSection({ el, S, api, fmtTime }, e, base, refresh) {
  const c = e.labourContract;
  const r = c.registration;
  const message = el('p', { role: 'status', id: 'labour-notice' });
  const retry =
    r?.status === 'rejected'
      ? el(
          'button',
          {
            type: 'button',
            class: 'secondary',
            id: 'labour-retry',
            onclick: async (ev) => {
              ev.target.disabled = true;
              try {
                await api('POST', `${base}/labour-registration/retry`);
                await refresh(S.lr_retried);
              } catch (err) {
                message.className = 'error';
                message.textContent = err.message;
                ev.target.disabled = false;
              }
            },
          },
          S.lr_retry,
        )
      : null;
  const pair = (label, value) => (value ? [el('dt', {}, label), el('dd', {}, value)] : []);
  return el(
    'section',
    { id: 'labour-contract' },
    el('h2', {}, S[`act_${c.act}`] ?? S.labour),
    el(
      'dl',
      { class: 'pairs' },
      pair(S.lr_employee, `${c.employee.name} · CCCD ${c.employee.idNumber}`),
      pair(S.lr_employer, `${c.employer.name} · MST ${c.employer.taxCode}`),
      pair(S.lr_term, c.contractType === 'indefinite' ? `${S.lr_indefinite}, ${c.startDate}` : `${c.startDate} – ${c.endDate ?? ''}`),
      pair(S.lr_original, c.relatesTo?.nationalId),
      pair(S.lr_registration, r ? registrationBadge(el, S, r.status) : S.lr_notYet),
      pair(S.lr_nationalId, r?.nationalId ? el('code', { id: 'labour-national-id' }, r.nationalId) : ''),
      pair(S.lr_registeredAt, r?.registeredAt ? fmtTime(r.registeredAt) : ''),
      pair(S.lr_attempts, r && r.status !== 'registered' ? String(r.attempts) : ''),
      pair(S.lr_reason, r?.reason ?? r?.overdueReason ?? ''),
      pair(S.lr_flags, r?.overdue ? S.lr_overdue : r?.late ? S.lr_late : ''),
    ),
    retry,
    message,
  );
}
