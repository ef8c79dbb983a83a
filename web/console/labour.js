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

/**
 * The new-envelope page's labour-contract card (also saved into a template: texts may hold merge
 * fields like {{cccd}}). `value()` is the `labourContract` of the request, or undefined when the
 * box is not ticked. The server validates it (400 invalid_labour_contract names the field).
 */
export function labourFieldset({ el, S }) {
  const on = el('input', { type: 'checkbox', id: 'lc-on' });
  const input = (id, label, attrs = {}) => {
    const error = el('p', { class: 'error', id: `lc-${id}-error`, hidden: true });
    const node = el('input', { type: 'text', id: `lc-${id}`, 'aria-describedby': error.id, ...attrs });
    return { node, error, row: el('div', {}, el('label', { for: node.id }, label), node, error) };
  };
  const f = {
    employerName: input('employer-name', S.lc_employerName, { maxlength: 300 }),
    taxCode: input('tax-code', S.lc_taxCode, { maxlength: 20, inputmode: 'numeric' }),
    representative: input('representative', S.lc_representative, { maxlength: 200 }),
    employerAddress: input('employer-address', S.lc_employerAddress, { maxlength: 300 }),
    employeeName: input('employee-name', S.lc_employeeName, { maxlength: 200 }),
    idNumber: input('id-number', S.lc_idNumber, { maxlength: 20, inputmode: 'numeric' }),
    dateOfBirth: input('dob', S.lc_dateOfBirth, { maxlength: 40, placeholder: 'dd/mm/yyyy' }),
    employeeAddress: input('employee-address', S.lc_employeeAddress, { maxlength: 300 }),
    startDate: input('start', S.lc_startDate, { maxlength: 40, placeholder: 'dd/mm/yyyy' }),
    endDate: input('end', S.lc_endDate, { maxlength: 40, placeholder: 'dd/mm/yyyy' }),
    jobTitle: input('job', S.lc_jobTitle, { maxlength: 200 }),
    workplace: input('workplace', S.lc_workplace, { maxlength: 300 }),
    salary: input('salary', S.lc_salary, { maxlength: 30, inputmode: 'numeric' }),
    workingHours: input('hours', S.lc_workingHours, { maxlength: 200 }),
  };
  const type = el(
    'select',
    { id: 'lc-type' },
    el('option', { value: 'fixed-term' }, S.lc_fixedTerm),
    el('option', { value: 'indefinite' }, S.lc_indefinite),
  );
  const body = el(
    'div',
    { class: 'grid', id: 'lc-fields', hidden: true },
    Object.values(f)
      .slice(0, 8)
      .map((x) => x.row),
    el('div', {}, el('label', { for: type.id }, S.lc_type), type),
    Object.values(f)
      .slice(8)
      .map((x) => x.row),
  );
  on.addEventListener('change', () => {
    body.hidden = !on.checked;
  });
  type.addEventListener('change', () => {
    f.endDate.row.hidden = type.value === 'indefinite';
  });
  const v = (x) => x.node.value.trim();
  /**
   * Client-side checks with messages in Vietnamese (or English) next to each field, the same
   * rules as the server's (shared/labour/validate-labour-contract.ts), which checks again. A text
   * holding a merge field ({{cccd}}, in a template) is filled per envelope: only its presence is checked.
   */
  const validate = () => {
    if (!on.checked) return true;
    const problems = new Map();
    const merged = (x) => /\{\{\s*[\w.-]+\s*\}\}/.test(v(x));
    const wrong = (x, message) => {
      if (!problems.has(x)) problems.set(x, message);
    };
    const required = [f.employerName, f.taxCode, f.representative, f.employerAddress, f.employeeName, f.idNumber, f.dateOfBirth];
    required.push(f.employeeAddress, f.startDate, f.jobTitle, f.workplace, f.salary);
    if (type.value === 'fixed-term') required.push(f.endDate);
    for (const x of required) if (!v(x)) wrong(x, S.lc_err_required);
    const check = (x, ok, message) => {
      if (v(x) && !merged(x) && !ok(v(x))) wrong(x, message);
    };
    check(f.taxCode, (t) => /^\d{10}(-\d{3})?$/.test(t), S.lc_err_taxCode);
    check(f.idNumber, (t) => /^\d{12}$/.test(t), S.lc_err_idNumber);
    for (const x of [f.dateOfBirth, f.startDate, f.endDate]) check(x, (t) => !!calendarDate(t), S.lc_err_date);
    check(f.salary, (t) => /^\d[\d.,\s]*$/.test(t) && Number(t.replace(/[.,\s]/g, '')) > 0, S.lc_err_salary);
    const start = merged(f.startDate) ? undefined : calendarDate(v(f.startDate));
    const end = type.value === 'fixed-term' && !merged(f.endDate) ? calendarDate(v(f.endDate)) : undefined;
    if (start && end && end <= start) wrong(f.endDate, S.lc_err_endBeforeStart);
    if (start && end && end > addMonths(start, 36)) wrong(f.endDate, S.lc_err_36months);
    for (const x of Object.values(f)) {
      const message = problems.get(x);
      x.error.textContent = message ?? '';
      x.error.hidden = !message;
      if (message) x.node.setAttribute('aria-invalid', 'true');
      else x.node.removeAttribute('aria-invalid');
    }
    const first = Object.values(f).find((x) => problems.has(x));
    first?.node.focus();
    return !first;
  };
  const value = () =>
    on.checked
      ? {
          employer: { name: v(f.employerName), taxCode: v(f.taxCode), representative: v(f.representative), address: v(f.employerAddress) },
          employee: { name: v(f.employeeName), idNumber: v(f.idNumber), dateOfBirth: v(f.dateOfBirth), address: v(f.employeeAddress) },
          contractType: type.value,
          startDate: v(f.startDate),
          ...(type.value === 'fixed-term' ? { endDate: v(f.endDate) } : {}),
          jobTitle: v(f.jobTitle),
          workplace: v(f.workplace),
          salary: { amount: v(f.salary), currency: 'VND' },
          ...(v(f.workingHours) ? { workingHours: v(f.workingHours) } : {}),
        }
      : undefined;
  const node = el(
    'div',
    { class: 'card', id: 'labour-card' },
    el('label', { class: 'check', for: on.id }, on, S.lc_on),
    el('p', { class: 'muted' }, S.lc_hint),
    body,
  );
  return { node, value, validate };
}

/** `dd/mm/yyyy` or `yyyy-mm-dd` as `yyyy-mm-dd`, or undefined when it is not a real calendar date. */
function calendarDate(text) {
  const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(text) ?? /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return undefined;
  const [y, mo, d] = text.includes('/') ? [m[3], m[2], m[1]] : [m[1], m[2], m[3]];
  const date = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
  if (date.getUTCFullYear() !== Number(y) || date.getUTCMonth() !== Number(mo) - 1 || date.getUTCDate() !== Number(d)) return undefined;
  return date.toISOString().slice(0, 10);
}

/** The same day n months later (clamped to the month's end), as the server counts the 36 months. */
function addMonths(iso, n) {
  const [y, m, d] = iso.split('-').map(Number);
  const last = new Date(Date.UTC(y, m - 1 + n + 1, 0)).getUTCDate();
  return new Date(Date.UTC(y, m - 1 + n, Math.min(d, last))).toISOString().slice(0, 10);
}
