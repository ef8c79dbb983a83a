// Templates and bulk send: pick a template, upload a CSV (one envelope per row), watch the progress.
export async function showTemplates({ app, api, el, S, fmtTime }) {
  const { items } = await api('GET', '/templates');
  const list = el('tbody', {});
  const bulkBox = el('section', { id: 'bulk' });
  if (!items.length) list.append(el('tr', {}, el('td', { colspan: 3, class: 'muted' }, S.noTemplates)));
  for (const t of items) {
    list.append(
      el(
        'tr',
        { 'data-id': t.id },
        el('td', {}, el('button', { type: 'button', class: 'link', onclick: () => showBulk(t) }, t.name)),
        el('td', {}, t.roles.map((r) => `${r.name} (${S[`role_${r.role}`] ?? r.role})`).join(', ')),
        el('td', {}, fmtTime(t.createdAt)),
      ),
    );
  }

  /** The CSV header a template needs: name and email per role slot without a fixed recipient, then its merge fields. */
  const columnsOf = (t) => [
    ...t.roles.filter((r) => !r.recipient && r.role !== 'seal').flatMap((r) => [`${r.key}_name`, `${r.key}_email`]),
    ...(t.mergeFields ?? []),
  ];

  function showBulk(t) {
    const csv = el('input', { type: 'file', id: 'bulk-csv', accept: '.csv,text/csv', required: true });
    const message = el('p', { class: 'error', role: 'alert' });
    const status = el('div', { id: 'bulk-status', role: 'status', 'aria-live': 'polite' });
    const form = el(
      'form',
      { class: 'card', id: 'bulk-form' },
      el('h2', {}, `${S.bulk}: `, t.name),
      el('p', {}, `${S.csvColumns}: `, el('code', { id: 'bulk-columns' }, columnsOf(t).join(','))),
      el('label', { for: 'bulk-csv' }, S.csvFile),
      csv,
      message,
      el('button', { type: 'submit' }, S.startBulk),
      status,
    );
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      message.textContent = '';
      if (!csv.files?.[0]) return csv.focus();
      const body = new FormData();
      body.append('templateId', t.id);
      body.append('send', 'true');
      body.append('csv', csv.files[0], csv.files[0].name);
      try {
        const job = await api('POST', '/bulk', body);
        await watch(job.id, status);
      } catch (e) {
        message.textContent = e.message || S.error;
      }
    });
    bulkBox.replaceChildren(form);
    csv.focus();
  }

  /** Polls the job until every row is done or failed; failed rows are listed with their CSV line. */
  async function watch(id, status) {
    for (;;) {
      const job = await api('GET', `/bulk/${encodeURIComponent(id)}`);
      const finished = job.done + job.failedCount;
      status.replaceChildren(
        el('label', { for: 'bulk-progress' }, `${S.progress}: ${job.done}/${job.total} ✓ · ${job.failedCount} ✗`),
        el('progress', { id: 'bulk-progress', max: job.total, value: finished }),
      );
      if (job.failed?.length) {
        status.append(
          el('h3', {}, S.failedRows),
          el(
            'table',
            { id: 'bulk-failed' },
            el(
              'tbody',
              {},
              job.failed.map((f) => el('tr', {}, el('td', {}, `${S.row} ${f.row} (line ${f.line})`), el('td', {}, f.reason))),
            ),
          ),
        );
      }
      if (job.status === 'completed') {
        status.append(el('p', { class: 'ok', id: 'bulk-done' }, S.done, ' ', el('a', { href: '#/' }, S.envelopes)));
        return;
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
  }

  app.replaceChildren(
    el('h1', {}, S.templates),
    el(
      'table',
      { id: 'templates' },
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          [S.titleCol, S.roles, S.created].map((h) => el('th', {}, h)),
        ),
      ),
      list,
    ),
    bulkBox,
  );
}
