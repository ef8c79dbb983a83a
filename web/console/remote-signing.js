// Remote-signing providers in the sender console (issue 11): the CAs (CSC API v2) the tenant's
// signers may choose from — the tenant's own, which an admin adds and removes here, and the
// deployment's, listed read-only. The client secret is a write-only password field: the API
// seals it with KMS and never returns it.
// Plain ES module, no build step; every value goes through textContent (el()).

/** #/remote-signing: the list, and a form to add one. */
export async function showRemoteSigning({ app, api, el, S, fmtTime }) {
  const { providers } = await api('GET', '/remote-signing/providers');
  const message = el('p', { class: 'error', role: 'alert' });
  const rows = providers.map((p) =>
    el(
      'tr',
      { 'data-provider': p.id },
      el('td', {}, p.name, p.isDefault ? ` (${S.rs_default})` : ''),
      el('td', {}, p.source === 'deployment' ? S.rs_fromDeployment : S.rs_fromTenant),
      el('td', {}, p.baseUrl),
      el('td', {}, p.clientId),
      el('td', {}, p.source === 'tenant' ? fmtTime(p.createdAt) : ''),
      el(
        'td',
        {},
        p.source === 'tenant'
          ? el(
              'button',
              {
                type: 'button',
                class: 'secondary',
                'data-remove': p.id,
                onclick: async () => {
                  if (!window.confirm(`${S.rs_removeConfirm} ${p.name}?`)) return;
                  await api('DELETE', `/remote-signing/providers/${encodeURIComponent(p.id)}`);
                  await showRemoteSigning({ app, api, el, S, fmtTime });
                },
              },
              S.rs_remove,
            )
          : '',
      ),
    ),
  );
  const table = rows.length
    ? el(
        'div',
        { class: 'scroll' },
        el(
          'table',
          { id: 'remote-providers' },
          el(
            'thead',
            {},
            el(
              'tr',
              {},
              [S.rs_name, S.rs_source, S.rs_baseUrl, S.rs_clientId, S.rs_added, ''].map((h) => el('th', { scope: 'col' }, h)),
            ),
          ),
          el('tbody', {}, rows),
        ),
      )
    : el('p', { class: 'muted' }, S.rs_none);

  const input = (id, label, attrs = {}) => [
    el('label', { for: id }, label),
    el('input', { id, required: true, autocomplete: 'off', ...attrs }),
  ];
  const form = el(
    'form',
    { id: 'remote-provider-form', novalidate: true },
    el('h2', {}, S.rs_add),
    ...input('rs-name', S.rs_name, { maxlength: 100, placeholder: 'VNPT SmartCA' }),
    ...input('rs-base-url', S.rs_baseUrl, { type: 'url', maxlength: 500, placeholder: 'https://' }),
    ...input('rs-client-id', S.rs_clientId, { maxlength: 200 }),
    ...input('rs-client-secret', S.rs_clientSecret, { type: 'password', maxlength: 500, autocomplete: 'new-password' }),
    el('p', { class: 'muted' }, S.rs_secretNote),
    message,
    el('button', { type: 'submit' }, S.rs_add),
  );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    message.textContent = '';
    const value = (id) => /** @type {HTMLInputElement} */ (form.querySelector(`#${id}`)).value.trim();
    try {
      await api('POST', '/remote-signing/providers', {
        name: value('rs-name'),
        baseUrl: value('rs-base-url'),
        clientId: value('rs-client-id'),
        clientSecret: value('rs-client-secret'),
      });
      await showRemoteSigning({ app, api, el, S, fmtTime });
    } catch (e) {
      message.textContent = e.message || S.error;
    }
  });
  app.replaceChildren(el('section', { class: 'card' }, el('h1', {}, S.rs_title), el('p', { class: 'muted' }, S.rs_intro), table, form));
}
