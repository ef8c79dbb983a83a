// Kyso sender console. Plain ES module, hash routes, no framework and no build step.
// All user-controlled text goes through textContent (el()), never innerHTML.
import { el } from './html.js';

const S = window.KYSO_STRINGS;
const LANG = window.KYSO_LANG;
/** An element of the page shell (web/console/page.ts), which always has it. */
const shellElement = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));
const app = shellElement('app');
let csrf = '';

class ApiError extends Error {
  /**
   * @param {number} status
   * @param {{ error?: { code?: string, message?: string } } | null} body
   */
  constructor(status, body) {
    super(body?.error?.message || S.error);
    this.status = status;
    this.code = body?.error?.code;
  }
}

/** Every state change carries the CSRF token of the session (double submit). */
/**
 * @param {string} method
 * @param {string} path
 * @param {unknown} [body] JSON, or FormData sent as is
 * @returns {Promise<any>} the JSON answer (null for 204)
 */
const api = async (method, path, body) => {
  /** @type {Record<string, string>} */
  const headers = {};
  if (method !== 'GET') headers['x-csrf-token'] = csrf;
  /** @type {BodyInit | undefined} */
  let payload;
  if (body instanceof FormData) payload = body;
  else if (body) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  const res = await fetch(`/app/api${path}`, { method, headers, body: payload, credentials: 'same-origin' });
  const data = res.status === 204 ? null : await res.json().catch(() => null);
  // Only a lost session sends the user to the sign-in form; a wrong code (totp_invalid, also 401) is the page's to show.
  if (res.status === 401 && !path.startsWith('/login') && (data?.error?.code ?? 'unauthorized') === 'unauthorized') {
    showLogin();
    throw new ApiError(401, null);
  }
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
};

const fmtTime = (iso) => (iso ? new Date(iso).toLocaleString(LANG === 'vi' ? 'vi-VN' : 'en-GB', { timeZone: 'Asia/Ho_Chi_Minh' }) : '');
const statusBadge = (status, prefix = 'st_') => el('span', { class: `badge s-${status}` }, S[`${prefix}${status}`] ?? status);
const errorBox = () => el('p', { class: 'error', role: 'alert' });

// ---- sign in -------------------------------------------------------------------------

function showLogin() {
  shellElement('nav').hidden = true;
  const email = el('input', { type: 'email', id: 'login-email', autocomplete: 'username', required: true });
  const password = el('input', { type: 'password', id: 'login-password', autocomplete: 'current-password', required: true });
  const message = errorBox();
  const form = el(
    'form',
    { class: 'card narrow', id: 'login' },
    el('h1', {}, S.signIn),
    el('label', { for: 'login-email' }, S.email),
    email,
    el('label', { for: 'login-password' }, S.password),
    password,
    message,
    el('button', { type: 'submit' }, S.signIn),
  );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    message.textContent = '';
    try {
      const r = await api('POST', '/login', { email: email.value, password: password.value });
      if (r.next === 'session') {
        csrf = r.csrfToken;
        await start();
      } else showSecondFactor(r);
    } catch (e) {
      message.textContent = e.status === 401 ? S.badLogin : e.status === 429 ? S.locked : e.message;
    }
  });
  app.replaceChildren(form);
  email.focus();
}

/** A new TOTP secret to enrol: what to do, the QR code of its otpauth:// URI, and the key as text (sign-in and account security). */
const enrolmentFigure = (step, help) => [
  el('p', {}, help),
  el('img', { id: 'totp-qr', src: `data:image/svg+xml;base64,${btoa(step.qrSvg)}`, alt: S.enrolQr, width: '200', height: '200' }),
  el('p', {}, S.enrolSecret, ' ', el('code', { id: 'totp-secret' }, step.secret.replace(/(.{4})/g, '$1 ').trim())),
];

/** The recovery codes, shown once (stored only as hashes). */
const recoveryCodeList = (codes) =>
  el(
    'ol',
    { class: 'codes' },
    codes.map((c) => el('li', {}, el('code', {}, c))),
  );

/** Step 2: the TOTP code (or a recovery code); for an admin without TOTP, enrolment by QR code first. */
function showSecondFactor(step) {
  const enrol = step.next === 'enrol';
  const code = el('input', {
    id: 'totp-code',
    inputmode: 'numeric',
    autocomplete: 'one-time-code',
    pattern: '[0-9]{6}',
    maxlength: '6',
    required: true,
  });
  const recovery = el('input', { id: 'recovery-code', autocomplete: 'off' });
  const recoveryBox = el('div', { hidden: true }, el('label', { for: 'recovery-code' }, S.recoveryCode), recovery);
  const message = errorBox();
  const form = el(
    'form',
    { class: 'card narrow', id: 'second-factor' },
    el('h1', {}, enrol ? S.enrolTitle : S.totpTitle),
    enrol ? enrolmentFigure(step, S.enrolHelp) : [],
    el('label', { for: 'totp-code' }, S.totpCode),
    code,
    recoveryBox,
    message,
    el('button', { type: 'submit' }, S.totpVerify),
    enrol
      ? []
      : el(
          'button',
          {
            type: 'button',
            class: 'link',
            onclick: () => {
              recoveryBox.hidden = false;
              code.required = false;
              recovery.focus();
            },
          },
          S.useRecovery,
        ),
  );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    message.textContent = '';
    const body = { challenge: step.challenge };
    if (recovery.value.trim()) body.recoveryCode = recovery.value.trim();
    else body.code = code.value.trim();
    try {
      const r = await api('POST', '/login/totp', body);
      csrf = r.csrfToken;
      if (r.recoveryCodes) showRecoveryCodes(r.recoveryCodes);
      else await start();
    } catch (e) {
      if (e.code === 'login_challenge_invalid') {
        showLogin();
        const alert = document.querySelector('#login [role=alert]');
        if (alert) alert.textContent = S.totpExpired;
      } else message.textContent = e.code === 'totp_invalid' ? S.totpWrong : e.status === 429 ? S.locked : e.message;
    }
  });
  app.replaceChildren(form);
  code.focus();
}

/** Shown once, right after enrolment: the codes are stored only as hashes. */
function showRecoveryCodes(codes) {
  const done = el('button', { type: 'button', id: 'recovery-done', onclick: () => start() }, S.recoveryDone);
  app.replaceChildren(
    el(
      'section',
      { class: 'card narrow', id: 'recovery-codes' },
      el('h1', {}, S.recoveryTitle),
      el('p', {}, S.recoveryHelp),
      recoveryCodeList(codes),
      done,
    ),
  );
  done.focus();
}

// ---- envelopes list ------------------------------------------------------------------

const STATUSES = ['draft', 'sent', 'completed', 'declined', 'voided', 'expired'];

async function showList(params) {
  const status = params.get('status') || '';
  const q = params.get('q') || '';
  const select = el(
    'select',
    { id: 'filter-status', name: 'status' },
    el('option', { value: '' }, S.all),
    STATUSES.map((s) => el('option', { value: s, selected: s === status }, S[`st_${s}`])),
  );
  const search = el('input', { type: 'search', id: 'filter-q', name: 'q', value: q });
  const form = el(
    'form',
    { class: 'filters', role: 'search' },
    el('div', {}, el('label', { for: 'filter-status' }, S.status), select),
    el('div', { class: 'grow' }, el('label', { for: 'filter-q' }, S.search), search),
    el('button', { type: 'submit' }, S.filter),
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const p = new URLSearchParams();
    if (select.value) p.set('status', select.value);
    if (search.value.trim()) p.set('q', search.value.trim());
    location.hash = `#/?${p}`;
  });
  const tbody = el('tbody', {});
  const table = el(
    'table',
    { id: 'envelopes' },
    el('thead', {}, el('tr', {}, el('th', {}, S.titleCol), el('th', {}, S.status), el('th', {}, S.recipients), el('th', {}, S.created))),
    tbody,
  );
  // The home (#/ without a filter): what needs attention first, then the list. A dashboard that fails leaves the list.
  const home =
    !status && !q
      ? await (await import('./dashboard.js')).dashboardSection({ api, el, S, fmtTime }).catch((e) => {
          if (e.status === 401) throw e;
          return el('p', { class: 'error', role: 'alert' }, e.message || S.error);
        })
      : null;
  app.replaceChildren(...(home ? [home] : []), el(home ? 'h2' : 'h1', {}, S.envelopes), form, table);
  const p = new URLSearchParams();
  if (status) p.set('status', status);
  if (q) p.set('q', q);
  const { items } = await api('GET', `/envelopes?${p}`);
  if (!items.length) tbody.append(el('tr', {}, el('td', { colspan: 4, class: 'muted' }, S.none)));
  for (const e of items) {
    tbody.append(
      el(
        'tr',
        { 'data-id': e.id },
        el('td', {}, el('a', { href: `#/envelopes/${encodeURIComponent(e.id)}` }, e.title)),
        el('td', {}, statusBadge(e.status)),
        el('td', {}, e.recipients.map((r) => r.name).join(', ')),
        el('td', {}, fmtTime(e.createdAt)),
      ),
    );
  }
}

// ---- one envelope --------------------------------------------------------------------

async function showEnvelope(id, notice = '') {
  const base = `/envelopes/${encodeURIComponent(id)}`;
  const [e, audit, check, sent] = await Promise.all([
    api('GET', base),
    api('GET', `${base}/audit`),
    api('GET', `${base}/audit/verify`).catch(() => undefined),
    api('GET', `${base}/deliveries`).catch(() => ({ deliveries: [] })),
  ]);
  // The hash chain (and its signed head once completed), recomputed by the server on every view.
  const integrity = !check
    ? ''
    : check.problems.length
      ? el(
          'div',
          { class: 'error', id: 'audit-check' },
          S.auditBroken,
          el(
            'ul',
            {},
            check.problems.map((p) => el('li', {}, p)),
          ),
        )
      : el(
          'p',
          { class: 'ok', id: 'audit-check' },
          `✓ ${S.auditOk}${check.headSignatures.some((h) => h.signatureValid) ? ` · ${S.auditSigned}` : ''}`,
        );
  const message = el('p', { role: 'status', class: 'ok', id: 'notice' }, notice);
  const act = (label, fn, ariaLabel) =>
    el(
      'button',
      {
        type: 'button',
        class: 'secondary',
        'aria-label': ariaLabel,
        onclick: async (ev) => {
          ev.target.disabled = true;
          try {
            await fn();
            await showEnvelope(id, S.done);
          } catch (err) {
            message.className = 'error';
            message.textContent = err.message;
            ev.target.disabled = false;
          }
        },
      },
      label,
    );
  const buttons = el('div', { class: 'actions' });
  if (e.status === 'draft') buttons.append(act(S.send, () => api('POST', `${base}/send`)));
  if (e.status === 'sent') {
    buttons.append(act(S.remind, () => api('POST', `${base}/remind`)));
    // Voiding needs a reason (it is mailed to the recipients and kept in the audit trail).
    const reason = el('input', { type: 'text', id: 'void-reason', maxlength: 1000, required: true });
    const voidForm = el(
      'form',
      { class: 'filters', id: 'void-form' },
      el('div', { class: 'grow' }, el('label', { for: 'void-reason' }, S.voidReason), reason),
      el('button', { type: 'submit', class: 'danger' }, S.void),
    );
    voidForm.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      if (!reason.value.trim()) return reason.focus();
      try {
        await api('POST', `${base}/void`, { reason: reason.value });
        await showEnvelope(id, S.done);
      } catch (err) {
        message.className = 'error';
        message.textContent = err.message;
      }
    });
    buttons.append(voidForm);
  }
  const waiting = (r) => e.status === 'sent' && ['notified', 'viewed'].includes(r.status);
  const recipients = el(
    'table',
    { id: 'recipients' },
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        [S.order, S.name, S.email, S.role, S.status, S.signedAt, ''].map((h) => el('th', {}, h)),
      ),
    ),
    el(
      'tbody',
      {},
      e.recipients.map((r) =>
        el(
          'tr',
          {},
          el('td', {}, String(r.order)),
          el('td', {}, r.name),
          el('td', {}, r.email || r.phone || ''),
          el('td', {}, S[`role_${r.role}`] ?? r.role),
          el('td', {}, statusBadge(r.status, 'rs_')),
          el('td', {}, fmtTime(r.signedAt)),
          el(
            'td',
            {},
            waiting(r)
              ? act(S.resend, () => api('POST', `${base}/recipients/${encodeURIComponent(r.id)}/resend`), `${S.resend}: ${r.name}`)
              : '',
          ),
        ),
      ),
    ),
  );
  // Email, SMS and Zalo messages and what the providers' receipts said (SES events, SNS delivery-status logs, ZNS callbacks).
  const nameOf = new Map(e.recipients.map((r) => [r.id, r.name]));
  const messages = sent.deliveries.length
    ? el(
        'table',
        { id: 'deliveries' },
        el(
          'thead',
          {},
          el(
            'tr',
            {},
            [S.name, S.channel, S.messageKind, S.status, S.reason].map((h) => el('th', {}, h)),
          ),
        ),
        el(
          'tbody',
          {},
          sent.deliveries.map((d) =>
            el(
              'tr',
              {},
              el('td', {}, nameOf.get(d.recipientId) ?? ''),
              el('td', {}, S[`ch_${d.channel}`] ?? d.channel),
              el('td', {}, S[`mk_${d.kind}`] ?? d.kind),
              el('td', {}, statusBadge(d.status, 'ds_'), ' ', el('time', { class: 'muted', datetime: d.updatedAt }, fmtTime(d.updatedAt))),
              el('td', {}, d.detail ?? ''),
            ),
          ),
        ),
      )
    : '';
  const docs = el(
    'ul',
    { id: 'documents' },
    e.status === 'completed'
      ? el('li', {}, el('a', { href: `/app/api${base}/certificate`, download: `certificate-${e.id}.pdf` }, S.certificate))
      : null,
    e.documents.map((d) =>
      el(
        'li',
        {},
        el('a', { href: `/app/api${base}/documents/${encodeURIComponent(d.id)}`, download: d.name }, `${S.download}: ${d.name}`),
        el('span', { class: 'muted' }, ` · ${d.pageCount} ${S.page.toLowerCase()} · SHA-256 ${d.sha256.slice(0, 16)}…`),
      ),
    ),
  );
  const timeline = el(
    'ol',
    { id: 'audit', class: 'timeline' },
    audit.events.map((ev) =>
      el(
        'li',
        {},
        el('time', { datetime: ev.at }, fmtTime(ev.at)),
        ' ',
        el('strong', {}, ev.action),
        ev.actor?.email ? ` · ${ev.actor.email}` : ` · ${ev.actor?.type ?? ''}`,
        ev.ip ? el('span', { class: 'muted' }, ` · ${ev.ip}`) : '',
        typeof ev.data?.reason === 'string' ? el('q', { class: 'reason' }, ev.data.reason) : '',
      ),
    ),
  );
  // A labour contract: its terms and where its registration with the national platform stands.
  const labour = e.labourContract
    ? (await import('./labour.js')).labourSection({ el, S, api, fmtTime }, e, base, (n) => showEnvelope(id, n))
    : '';
  app.replaceChildren(
    el('p', {}, el('a', { href: '#/' }, S.back)),
    el('h1', {}, e.title),
    el('p', {}, statusBadge(e.status), ' ', el('span', { class: 'muted' }, `${S.created}: ${fmtTime(e.createdAt)}`)),
    buttons,
    message,
    labour,
    el('h2', {}, S.recipients),
    recipients,
    messages ? el('h2', {}, S.messages) : '',
    messages,
    el('h2', {}, S.documents),
    docs,
    el('h2', {}, S.audit),
    integrity,
    timeline,
  );
}

// ---- API keys ------------------------------------------------------------------------

async function showKeys() {
  const label = el('input', { type: 'text', id: 'key-label', required: true, maxlength: 100 });
  const created = el('div', { id: 'key-created', role: 'status' });
  const message = errorBox();
  const form = el(
    'form',
    { class: 'filters' },
    el('div', { class: 'grow' }, el('label', { for: 'key-label' }, S.keyLabel), label),
    el('button', { type: 'submit' }, S.createKey),
  );
  const list = el('tbody', {});
  const load = async () => {
    const { items } = await api('GET', '/keys');
    list.replaceChildren();
    if (!items.length) list.append(el('tr', {}, el('td', { colspan: 4, class: 'muted' }, S.noKeys)));
    for (const k of items) {
      list.append(
        el(
          'tr',
          { 'data-id': k.id },
          el('td', {}, k.label),
          el('td', {}, el('code', {}, `${k.prefix}…`)),
          el('td', {}, fmtTime(k.createdAt)),
          el(
            'td',
            {},
            el(
              'button',
              {
                type: 'button',
                class: 'secondary',
                'aria-label': `${S.revoke}: ${k.label}`,
                onclick: async () => {
                  if (!window.confirm(S.confirmRevoke)) return;
                  await api('DELETE', `/keys/${encodeURIComponent(k.id)}`);
                  await load();
                },
              },
              S.revoke,
            ),
          ),
        ),
      );
    }
  };
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    message.textContent = '';
    try {
      const k = await api('POST', '/keys', { label: label.value });
      created.replaceChildren(el('p', { class: 'ok' }, S.keyOnce), el('code', { class: 'secret', id: 'new-key' }, k.key));
      label.value = '';
      await load();
    } catch (e) {
      message.textContent = e.message;
    }
  });
  app.replaceChildren(
    el('h1', {}, S.apiKeys),
    form,
    message,
    created,
    el(
      'table',
      { id: 'keys' },
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          [S.keyLabel, S.prefix, S.created, ''].map((h) => el('th', {}, h)),
        ),
      ),
      list,
    ),
  );
  await load();
}

// ---- router --------------------------------------------------------------------------

const route = async () => {
  const [path, query] = location.hash.replace(/^#/, '').split('?');
  const params = new URLSearchParams(query || '');
  try {
    const m = /^\/envelopes\/([^/]+)$/.exec(path || '');
    if (m) await showEnvelope(decodeURIComponent(m[1]));
    else if (path === '/new') await (await import('./compose.js')).showCompose({ app, api, el, S });
    else if (path === '/keys') await showKeys();
    else if (path === '/templates') await (await import('./templates.js')).showTemplates({ app, api, el, S, fmtTime });
    else if (path === '/labour') await (await import('./labour.js')).showLabour({ app, api, el, S, fmtTime }, params);
    else if (path === '/data-subjects') await (await import('./data-subjects.js')).showDataSubjects({ app, api, el, S, fmtTime });
    else if (path === '/users') await (await import('./users.js')).showUsers({ app, api, el, S, fmtTime }, me);
    else if (path === '/remote-signing') await (await import('./remote-signing.js')).showRemoteSigning({ app, api, el, S, fmtTime });
    else if (path === '/security')
      await (await import('./security.js')).showSecurity({ app, api, el, S, fmtTime, enrolmentFigure, recoveryCodeList });
    else await showList(params);
  } catch (e) {
    if (e.status !== 401) app.replaceChildren(el('p', { class: 'error', role: 'alert' }, e.message || S.error));
  }
};

/** The signed-in user (GET /me), set by start(). */
let me = { email: '', role: 'viewer' };

async function start() {
  me = await api('GET', '/me');
  csrf = me.csrfToken;
  shellElement('nav').hidden = false;
  shellElement('who').textContent = `${me.email} · ${me.tenant.name}`;
  // A viewer cannot create anything: the page hides what the API would refuse (403 insufficient_role).
  document.body.dataset.role = me.role;
  for (const a of document.querySelectorAll('#nav a[href="#/new"]')) /** @type {HTMLElement} */ (a).hidden = me.role === 'viewer';
  const adminOnly = document.querySelectorAll('#nav a[href="#/users"], #nav a[href="#/remote-signing"]');
  for (const a of adminOnly) /** @type {HTMLElement} */ (a).hidden = me.role !== 'admin';
  await route();
}

shellElement('sign-out').addEventListener('click', async () => {
  await api('POST', '/logout').catch(() => {});
  csrf = '';
  showLogin();
});
window.addEventListener('hashchange', () => {
  if (csrf) route();
});
start().catch((e) => {
  if (e.status !== 401) app.replaceChildren(el('p', { class: 'error', role: 'alert' }, e.message || S.error));
});
