// The organisation's console users, for admins (issue 15): add a user (an initial password shown
// once), change a role, disable or enable, reset two-step sign-in, and who changed what when.
// One card per user rather than a table, so it reads on a 360 px phone. The server decides
// (admin only, the last active admin kept); the page shows its refusals as they come.
// Plain ES module, no build step; every value goes through textContent (el()).

const ROLES = ['admin', 'sender', 'viewer'];

/** #/users: the list, the add form and the change trail. */
export async function showUsers({ app, api, el, S, fmtTime }, me, notice = '') {
  const [{ items }, { items: changes }] = await Promise.all([api('GET', '/users'), api('GET', '/users/changes')]);
  const emailOf = new Map(items.map((u) => [u.id, u.email]));
  // Users made by the platform's admin API (POST /admin/tenants/{id}/users).
  emailOf.set('operator', S.us_operator);
  const message = el('p', { role: 'status', id: 'users-notice', class: 'ok' }, notice);
  const fail = (e) => {
    message.className = 'error';
    message.textContent = e.code === 'last_admin' ? S.us_lastAdmin : e.message || S.error;
  };
  const reload = (text) => showUsers({ app, api, el, S, fmtTime }, me, text);
  /** A button that calls the API, then reloads the page with a notice (or shows the refusal). */
  const act = (label, attrs, fn, confirmText) =>
    el(
      'button',
      {
        type: 'button',
        class: 'secondary',
        ...attrs,
        onclick: async (ev) => {
          if (confirmText && !window.confirm(confirmText)) return;
          const button = ev.currentTarget;
          button.disabled = true;
          try {
            await fn();
            await reload(S.done);
          } catch (e) {
            fail(e);
            button.disabled = false;
          }
        },
      },
      label,
    );

  const card = (u) => {
    const self = u.email === me.email;
    const roleId = `role-${u.id}`;
    const role = el(
      'select',
      { id: roleId },
      ROLES.map((r) => el('option', { value: r, selected: r === u.role }, S[`us_role_${r}`])),
    );
    const base = `/users/${encodeURIComponent(u.id)}`;
    const who = `${u.name} (${u.email})`;
    return el(
      'li',
      { class: 'card user', 'data-user': u.email },
      el('h2', {}, u.name, self ? el('span', { class: 'muted' }, ` ${S.us_you}`) : ''),
      el('p', { class: 'muted' }, u.email),
      el(
        'p',
        { class: 'actions' },
        el('span', { class: 'badge' }, S[`us_role_${u.role}`] ?? u.role),
        el('span', { class: `badge ${u.totpEnabled ? 's-completed' : ''}` }, `${S.us_totp}: ${u.totpEnabled ? S.us_on : S.us_off}`),
        el('span', { class: `badge ${u.disabled ? 's-declined' : 's-completed'}` }, u.disabled ? S.us_disabled : S.us_active),
      ),
      el(
        'p',
        { class: 'muted' },
        `${S.created}: ${fmtTime(u.createdAt)}`,
        u.updatedAt ? ` · ${S.us_lastChange}: ${fmtTime(u.updatedAt)} (${emailOf.get(u.updatedBy) ?? u.updatedBy})` : '',
      ),
      el(
        'div',
        { class: 'filters' },
        el('div', { class: 'grow' }, el('label', { for: roleId }, `${S.us_role}`), role),
        act(S.us_saveRole, { 'aria-label': `${S.us_saveRole}: ${who}` }, () => api('PUT', `${base}/role`, { role: role.value })),
      ),
      el(
        'div',
        { class: 'actions' },
        u.disabled
          ? act(S.us_enable, { 'aria-label': `${S.us_enable}: ${who}` }, () => api('POST', `${base}/enable`))
          : act(
              S.us_disable,
              { 'aria-label': `${S.us_disable}: ${who}`, class: 'danger' },
              () => api('POST', `${base}/disable`),
              S.us_confirmDisable,
            ),
        u.totpEnabled
          ? act(S.us_resetTotp, { 'aria-label': `${S.us_resetTotp}: ${who}` }, () => api('POST', `${base}/totp/reset`), S.us_confirmReset)
          : '',
      ),
    );
  };

  // Add a user: the server makes the initial password and returns it this once.
  const email = el('input', { type: 'email', id: 'new-user-email', required: true, maxlength: 254, autocomplete: 'off' });
  const name = el('input', { type: 'text', id: 'new-user-name', required: true, maxlength: 200, autocomplete: 'off' });
  const role = el(
    'select',
    { id: 'new-user-role' },
    ROLES.map((r) => el('option', { value: r, selected: r === 'sender' }, S[`us_role_${r}`])),
  );
  const created = el('div', { id: 'user-created', role: 'status' });
  const add = el(
    'form',
    { class: 'card', id: 'add-user' },
    el('h2', {}, S.us_add),
    el(
      'div',
      { class: 'filters' },
      el('div', { class: 'grow' }, el('label', { for: 'new-user-name' }, S.us_name), name),
      el('div', { class: 'grow' }, el('label', { for: 'new-user-email' }, S.email), email),
      el('div', {}, el('label', { for: 'new-user-role' }, S.us_role), role),
      el('button', { type: 'submit' }, S.us_add),
    ),
    created,
  );
  add.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      const r = await api('POST', '/users', { email: email.value.trim(), name: name.value, role: role.value });
      await reload('');
      // Shown once, after the reload (which would clear it): the server keeps only a hash.
      const box = document.getElementById('user-created');
      box?.replaceChildren(
        el('p', { class: 'ok' }, S.us_createdOnce.replace('{email}', r.user.email)),
        el('code', { class: 'secret', id: 'initial-password' }, r.initialPassword),
      );
    } catch (e) {
      created.replaceChildren(el('p', { class: 'error', role: 'alert' }, e.code === 'conflict' ? S.us_exists : e.message || S.error));
    }
  });

  const trail = changes.length
    ? el(
        'ol',
        { class: 'timeline', id: 'user-changes' },
        changes.map((c) =>
          el(
            'li',
            {},
            el('time', { datetime: c.at }, fmtTime(c.at)),
            ' · ',
            el('strong', {}, S[`us_action_${c.action}`] ?? c.action),
            c.role ? ` (${S[`us_role_${c.role}`] ?? c.role})` : '',
            ` · ${emailOf.get(c.userId) ?? c.userId}`,
            el('span', { class: 'muted' }, ` · ${S.us_by} ${emailOf.get(c.by) ?? c.by}`),
          ),
        ),
      )
    : el('p', { class: 'muted' }, S.us_noChanges);

  app.replaceChildren(
    el('h1', {}, S.us_title),
    el('p', { class: 'muted' }, S.us_intro),
    message,
    add,
    el('ul', { class: 'user-list', id: 'users' }, items.map(card)),
    el('h2', {}, S.us_changes),
    trail,
  );
}
