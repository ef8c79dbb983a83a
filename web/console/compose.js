// New envelope: PDFs rendered by pdf.js, recipients, fields dragged onto the pages, send.
// Field positions are kept in the API's units: PDF points from the top-left corner, 1-based page.
import { labourFieldset } from './labour.js';

const SIZES = { signature: [180, 60], text: [160, 20], date: [100, 20], checkbox: [16, 16] };
const COLORS = ['#1d4ed8', '#b45309', '#047857', '#9d174d', '#6d28d9', '#0e7490'];

/** @type {typeof import('pdfjs-dist') | undefined} */
let pdfjs;
const PDFJS_URL = '/assets/pdfjs/pdf.min.mjs';
const loadPdfJs = async () => {
  if (!pdfjs) {
    pdfjs = /** @type {typeof import('pdfjs-dist')} */ (await import(PDFJS_URL));
    pdfjs.GlobalWorkerOptions.workerSrc = '/assets/pdfjs/pdf.worker.min.mjs';
  }
  return pdfjs;
};

let uid = 0;
const nextId = () => `k${++uid}`;

/**
 * A recipient row of the form: its inputs, read when the envelope is sent.
 * @typedef {{ key: string, name: HTMLInputElement, email: HTMLInputElement, role: HTMLSelectElement, order: HTMLInputElement, otp: HTMLInputElement }} RecipientRow
 * A field placed on a page, in API units (points from the page's top-left).
 * @typedef {{ id: string, type: string, recipient: string, doc: number, page: number, x: number, y: number, width: number, height: number }} PlacedField
 */

/** @param {Pick<ConsoleContext, 'app' | 'api' | 'el' | 'S'>} ctx */
export async function showCompose({ app, api, el, S }) {
  const labour = labourFieldset({ el, S });
  /** @type {{ recipients: RecipientRow[], files: File[], fields: PlacedField[] }} */
  const state = { recipients: [], files: [], fields: [] };

  const title = el('input', { type: 'text', id: 'env-title', required: true, maxlength: 300 });
  const fileInput = el('input', { type: 'file', id: 'env-files', accept: 'application/pdf,.pdf', multiple: true });
  const recipientRows = el('div', { id: 'recipient-rows' });
  const who = el('select', { id: 'field-recipient' });
  const pagesBox = el('div', { id: 'pages' });
  const message = el('p', { class: 'error', role: 'alert' });
  const sendButton = el('button', { type: 'submit', id: 'send-envelope' }, S.send);
  const templateButton = el('button', { type: 'button', class: 'secondary', id: 'save-template' }, S.saveTemplate);

  const recipientOf = (key) => state.recipients.find((r) => r.key === key);
  const colorOf = (key) => COLORS[state.recipients.findIndex((r) => r.key === key) % COLORS.length];

  const refreshWho = () => {
    const current = who.value;
    who.replaceChildren(
      ...state.recipients.map((r, i) => el('option', { value: r.key, selected: r.key === current }, r.name.value || `#${i + 1}`)),
    );
  };

  const addRecipient = () => {
    const key = nextId();
    const n = state.recipients.length + 1;
    const name = el('input', {
      type: 'text',
      id: `r-name-${key}`,
      required: true,
      maxlength: 200,
      oninput: () => {
        refreshWho();
        redrawFields();
      },
    });
    const email = el('input', { type: 'email', id: `r-email-${key}`, required: true, maxlength: 254 });
    const role = el(
      'select',
      { id: `r-role-${key}` },
      el('option', { value: 'signer' }, S.role_signer),
      el('option', { value: 'approver' }, S.role_approver),
      el('option', { value: 'viewer' }, S.role_viewer),
    );
    const order = el('input', { type: 'number', id: `r-order-${key}`, min: 1, max: 100, value: n, class: 'order' });
    const otp = el('input', { type: 'checkbox', id: `r-otp-${key}` });
    const row = el(
      'fieldset',
      { class: 'recipient', 'data-key': key },
      el('legend', {}, `${S.recipients} ${n}`),
      el('div', {}, el('label', { for: name.id }, S.name), name),
      el('div', {}, el('label', { for: email.id }, S.email), email),
      el('div', {}, el('label', { for: role.id }, S.role), role),
      el('div', {}, el('label', { for: order.id }, S.order), order),
      el('label', { class: 'check', for: otp.id }, otp, S.otp),
      el(
        'button',
        {
          type: 'button',
          class: 'secondary',
          onclick: () => {
            state.recipients = state.recipients.filter((r) => r.key !== key);
            state.fields = state.fields.filter((f) => f.recipient !== key);
            row.remove();
            refreshWho();
            redrawFields();
          },
        },
        S.remove,
      ),
    );
    state.recipients.push({ key, name, email, role, order, otp });
    recipientRows.append(row);
    refreshWho();
    who.value = key;
  };

  // ---- pages and fields ---------------------------------------------------------------

  /** @type {(doc: number, page: number) => HTMLElement | null} */
  const pageEl = (doc, page) => pagesBox.querySelector(`.page[data-doc="${doc}"][data-page="${page}"]`);

  const redrawFields = () => {
    for (const box of pagesBox.querySelectorAll('.placed')) box.remove();
    for (const f of state.fields) {
      const page = pageEl(f.doc, f.page);
      if (!page) continue;
      const w = Number(page.dataset.w);
      const h = Number(page.dataset.h);
      const r = recipientOf(f.recipient);
      const box = el(
        'div',
        {
          class: `placed t-${f.type}`,
          'data-field': f.id,
          'data-type': f.type,
          style: `left:${(f.x / w) * 100}%;top:${(f.y / h) * 100}%;width:${(f.width / w) * 100}%;height:${(f.height / h) * 100}%;border-color:${colorOf(f.recipient)}`,
          title: `${r?.name.value ?? ''}: ${S[`f_${f.type}`]}`,
        },
        el('span', {}, f.type === 'checkbox' ? '' : `${S[`f_${f.type}`]} · ${r?.name.value ?? ''}`),
        el(
          'button',
          {
            type: 'button',
            class: 'x',
            'aria-label': `${S.remove}: ${S[`f_${f.type}`]} (${r?.name.value ?? ''})`,
            onclick: () => {
              state.fields = state.fields.filter((x) => x !== f);
              redrawFields();
            },
          },
          '×',
        ),
      );
      box.addEventListener('pointerdown', (ev) => {
        if (/** @type {Element} */ (ev.target).closest('.x')) return;
        const rect = box.getBoundingClientRect();
        startDrag(ev, {
          field: f,
          offsetX: ev.clientX - rect.left,
          offsetY: ev.clientY - rect.top,
          width: rect.width,
          height: rect.height,
        });
      });
      page.append(box);
    }
  };

  /** Screen point → API coordinates on the page under it (points from the top-left, clamped inside the page). */
  const dropAt = (clientX, clientY, type, grab) => {
    const hit = /** @type {HTMLElement | undefined} */ (
      document.elementsFromPoint(clientX, clientY).find((n) => n.classList?.contains('page'))
    );
    if (!hit) return undefined;
    const rect = hit.getBoundingClientRect();
    const w = Number(hit.dataset.w);
    const h = Number(hit.dataset.h);
    const scale = rect.width / w; // CSS px per point
    const [fw, fh] = grab?.field ? [grab.field.width, grab.field.height] : SIZES[type];
    const left = grab?.field ? clientX - grab.offsetX : clientX - (fw * scale) / 2;
    const top = grab?.field ? clientY - grab.offsetY : clientY - (fh * scale) / 2;
    const clamp = (v, max) => Math.round(Math.min(Math.max(0, v), max) * 100) / 100;
    return {
      doc: Number(hit.dataset.doc),
      page: Number(hit.dataset.page),
      x: clamp((left - rect.left) / scale, w - fw),
      y: clamp((top - rect.top) / scale, h - fh),
      width: fw,
      height: fh,
    };
  };

  const ghost = el('div', { class: 'ghost', hidden: true, 'aria-hidden': 'true' });
  const startDrag = (ev, grab) => {
    ev.preventDefault();
    const type = grab.field?.type ?? grab.type;
    ghost.textContent = S[`f_${type}`];
    ghost.style.width = `${grab.width}px`;
    ghost.style.height = `${grab.height}px`;
    const move = (e) => {
      ghost.hidden = false;
      ghost.style.left = `${e.clientX - (grab.offsetX ?? grab.width / 2)}px`;
      ghost.style.top = `${e.clientY - (grab.offsetY ?? grab.height / 2)}px`;
    };
    const up = (e) => {
      document.removeEventListener('pointermove', move);
      document.removeEventListener('pointerup', up);
      ghost.hidden = true;
      const spot = dropAt(e.clientX, e.clientY, type, grab);
      if (!spot) return;
      if (grab.field) Object.assign(grab.field, spot);
      else if (who.value) state.fields.push({ id: nextId(), type, recipient: who.value, ...spot });
      redrawFields();
    };
    move(ev);
    document.addEventListener('pointermove', move);
    document.addEventListener('pointerup', up);
  };

  const palette = el(
    'div',
    { class: 'palette', id: 'palette' },
    ...Object.keys(SIZES).map((type) => {
      const chip = el('button', { type: 'button', class: `chip t-${type}`, 'data-type': type }, S[`f_${type}`]);
      chip.addEventListener('pointerdown', (ev) => {
        const first = /** @type {HTMLElement | null} */ (pagesBox.querySelector('.page'));
        const scale = first ? first.getBoundingClientRect().width / Number(first.dataset.w) : 1;
        startDrag(ev, { type, width: SIZES[type][0] * scale, height: SIZES[type][1] * scale });
      });
      // Keyboard users: Enter/Space places the field near the bottom of the first page; it can be dragged later.
      chip.addEventListener('click', (ev) => {
        if (ev.detail !== 0 || !who.value) return;
        const first = /** @type {HTMLElement | null} */ (pagesBox.querySelector('.page'));
        if (!first) return;
        const [fw, fh] = SIZES[type];
        const n = state.fields.length;
        state.fields.push({
          id: nextId(),
          type,
          recipient: who.value,
          doc: Number(first.dataset.doc),
          page: Number(first.dataset.page),
          x: Math.min(40 + (n % 3) * 190, Number(first.dataset.w) - fw),
          y: Math.max(0, Number(first.dataset.h) - 160 - fh),
          width: fw,
          height: fh,
        });
        redrawFields();
      });
      return chip;
    }),
  );

  const renderFiles = async () => {
    pagesBox.replaceChildren();
    state.fields = [];
    const lib = await loadPdfJs();
    for (const [docIndex, file] of state.files.entries()) {
      const pdf = await lib.getDocument({ data: new Uint8Array(await file.arrayBuffer()) }).promise;
      pagesBox.append(el('h3', {}, `${docIndex + 1}. `, file.name));
      for (let n = 1; n <= pdf.numPages; n++) {
        const page = await pdf.getPage(n);
        const vp1 = page.getViewport({ scale: 1 });
        const wrap = el('div', {
          class: 'page',
          'data-doc': docIndex,
          'data-page': n,
          'data-w': vp1.width,
          'data-h': vp1.height,
          style: `aspect-ratio:${vp1.width}/${vp1.height}`,
        });
        wrap.append(el('span', { class: 'label' }, `${S.page} ${n}/${pdf.numPages}`));
        pagesBox.append(wrap);
        const ratio = Math.min(2, window.devicePixelRatio || 1);
        const vp = page.getViewport({ scale: ((wrap.clientWidth || 600) / vp1.width) * ratio });
        const canvas = el('canvas', { width: Math.floor(vp.width), height: Math.floor(vp.height), 'aria-label': `${S.page} ${n}` });
        wrap.prepend(canvas);
        await page.render({ canvasContext: /** @type {CanvasRenderingContext2D} */ (canvas.getContext('2d')), viewport: vp }).promise;
      }
    }
    redrawFields();
  };
  fileInput.addEventListener('change', () => {
    state.files = [...(fileInput.files ?? [])];
    renderFiles().catch((e) => {
      message.textContent = e.message || S.error;
    });
  });

  // ---- send ---------------------------------------------------------------------------

  const form = el(
    'form',
    { id: 'compose', novalidate: true },
    el('h1', {}, S.newEnvelope),
    el(
      'div',
      { class: 'card' },
      el('label', { for: 'env-title' }, S.envTitle),
      title,
      el('label', { for: 'env-files' }, S.files),
      fileInput,
    ),
    el(
      'div',
      { class: 'card' },
      el('h2', {}, S.recipients),
      recipientRows,
      el('button', { type: 'button', class: 'secondary', id: 'add-recipient', onclick: addRecipient }, S.addRecipient),
    ),
    labour.node,
    el(
      'div',
      { class: 'card sticky' },
      el('label', { for: 'field-recipient' }, S.fieldsFor),
      who,
      palette,
      el('p', { class: 'muted' }, S.dragHint),
    ),
    pagesBox,
    message,
    sendButton,
    templateButton,
    ghost,
  );
  /** Field placements in API terms; every signer needs a signature field. Undefined (and a message) when incomplete. */
  const placedFields = () => {
    if (!state.files.length) {
      message.textContent = S.needFile;
      return undefined;
    }
    const lacking = state.recipients.find(
      (r) => r.role.value === 'signer' && !state.fields.some((f) => f.recipient === r.key && f.type === 'signature'),
    );
    if (lacking) {
      message.textContent = `${S.needSignature} (${lacking.name.value})`;
      return undefined;
    }
    const index = new Map(state.recipients.map((r, i) => [r.key, i]));
    return state.fields.map((f) => ({
      recipient: index.get(f.recipient),
      document: f.doc,
      type: f.type,
      page: f.page,
      x: f.x,
      y: f.y,
      width: f.width,
      height: f.height,
      ...(f.type === 'signature' ? {} : { required: false }),
    }));
  };

  const busy = async (button, fn) => {
    const label = button.textContent;
    button.disabled = true;
    button.textContent = S.sending;
    try {
      await fn();
    } catch (e) {
      message.textContent = e.message || S.error;
    } finally {
      button.disabled = false;
      button.textContent = label;
    }
  };

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    message.textContent = '';
    if (!form.reportValidity()) return;
    if (!labour.validate()) {
      message.textContent = S.lc_err_summary;
      return;
    }
    const fields = placedFields();
    if (!fields) return;
    const metadata = {
      title: title.value.trim(),
      recipients: state.recipients.map((r) => ({
        name: r.name.value.trim(),
        email: r.email.value.trim(),
        role: r.role.value,
        order: Number(r.order.value) || 1,
        ...(r.otp.checked ? { auth: { otp: true } } : {}),
      })),
      fields,
      ...(labour.value() ? { labourContract: labour.value() } : {}),
    };
    const body = new FormData();
    body.append('metadata', JSON.stringify(metadata));
    for (const file of state.files) body.append('documents', file, file.name);
    await busy(sendButton, async () => {
      const created = await api('POST', '/envelopes', body);
      await api('POST', `/envelopes/${encodeURIComponent(created.id)}/send`);
      location.hash = `#/envelopes/${encodeURIComponent(created.id)}`;
    });
  });

  // The same editor makes a template: recipients become roles (filled per row in bulk sends), one PDF.
  templateButton.addEventListener('click', async () => {
    message.textContent = '';
    if (!title.reportValidity() || state.recipients.some((r) => !r.name.reportValidity())) return;
    if (!labour.validate()) {
      message.textContent = S.lc_err_summary;
      return;
    }
    const fields = placedFields();
    if (!fields) return;
    const metadata = {
      name: title.value.trim(),
      title: title.value.trim(),
      roles: state.recipients.map((r) => ({ name: r.name.value.trim(), role: r.role.value, order: Number(r.order.value) || 1 })),
      fields: fields.filter((f) => f.document === 0).map(({ document: _d, ...f }) => f),
      ...(labour.value() ? { labourContract: labour.value() } : {}),
    };
    const body = new FormData();
    body.append('metadata', JSON.stringify(metadata));
    body.append('document', state.files[0], state.files[0].name);
    await busy(templateButton, async () => {
      await api('POST', '/templates', body);
      location.hash = '#/templates';
    });
  });

  app.replaceChildren(form);
  addRecipient();
  title.focus();
}
