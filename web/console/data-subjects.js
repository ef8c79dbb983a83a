// Personal-data requests in the sender console (PDP Law 91/2025/QH15, issue 17): every access,
// export and erasure request with who asked, when, the 2-working-day acknowledgement deadline and
// whether it was met. Read-only: requests are made through the API (/v1/data-subjects); a large
// export answered by a job shows the job's status and, when ready, downloads its ZIP.
// Plain ES module, no build step; every value goes through textContent (el()).

/** #/data-subjects: the list of requests, newest first. */
export async function showDataSubjects({ app, api, el, S, fmtTime }) {
  const { items } = await api('GET', '/data-subjects/requests?limit=100');
  const rows = items.map((r) =>
    el(
      'tr',
      { 'data-request': r.id },
      el('td', {}, fmtTime(r.receivedAt)),
      el('td', {}, S[`ds_${r.kind}`] ?? r.kind),
      el('td', {}, `${S[`ds_${r.requestedBy.type}`] ?? r.requestedBy.type} · ${r.requestedBy.id}`),
      el('td', {}, fmtTime(r.acknowledgementDue)),
      el(
        'td',
        {},
        fmtTime(r.acknowledgedAt),
        ' ',
        el(
          'span',
          { class: `badge ${r.acknowledgedInTime ? 's-completed' : 's-declined'}` },
          r.acknowledgedInTime ? S.ds_inTime : S.ds_late,
        ),
      ),
      el(
        'td',
        {},
        `${r.outcome.envelopes} ${S.ds_envelopes}`,
        r.kind === 'erase' ? ` · ${r.outcome.erased} ${S.ds_erased} · ${r.outcome.kept} ${S.ds_kept}` : '',
        r.export ? exportJob(r.export, { api, el, S }) : '',
      ),
    ),
  );
  const table = rows.length
    ? el(
        'table',
        { id: 'data-subject-requests' },
        el(
          'thead',
          {},
          el(
            'tr',
            {},
            [S.ds_received, S.ds_kind, S.ds_by, S.ds_due, S.ds_acknowledged, S.ds_outcome].map((h) => el('th', { scope: 'col' }, h)),
          ),
        ),
        el('tbody', {}, rows),
      )
    : el('p', { class: 'muted' }, S.ds_none);
  app.replaceChildren(el('section', { class: 'card' }, el('h1', {}, S.ds_title), el('p', { class: 'muted' }, S.ds_intro), table));
}

const JOB_BADGE = { pending: 's-sent', ready: 's-completed', failed: 's-declined' };

/** A large export's job: its status, and for a ready one a button that asks for a fresh short link and follows it. */
function exportJob(job, { api, el, S }) {
  const badge = el(
    'span',
    { class: `badge ${JOB_BADGE[job.status] ?? ''}`, 'data-export-status': job.status },
    S[`ds_job_${job.status}`] ?? job.status,
  );
  if (job.status !== 'ready') return el('span', {}, ' · ', badge);
  const note = el('span', { class: 'muted' });
  const button = el('button', { type: 'button', class: 'secondary', 'data-export-download': job.jobId }, S.ds_download);
  button.addEventListener('click', async () => {
    const current = await api('GET', `/data-subjects/exports/${encodeURIComponent(job.jobId)}`);
    if (current.download) window.location.assign(current.download.url);
    else note.textContent = ` ${S.ds_expired}`;
  });
  return el('span', {}, ' · ', badge, ' ', button, note);
}
