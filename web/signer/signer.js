// Kyso signer page. Plain ES module, no framework: it must start fast on a cheap phone.
// All user-controlled text goes through textContent, never innerHTML.
import { el } from './html.js';
import { remoteChoice } from './remote.js';

const S = window.KYSO_STRINGS;
const token = location.pathname.split('/').filter(Boolean).pop() ?? '';
const api = `/v1/sign/${encodeURIComponent(token)}`;
const app = /** @type {HTMLElement} */ (document.getElementById('app'));

// Embedded links only (POST …/embedded-link): the outcome goes to the tenant's page, posted to the
// one origin it named and nowhere else; not framed, the page returns to its returnUrl instead.
const EMBED = window.KYSO_EMBED;
const ids = {};
let returned = false;
const tellEmbedder = (type, detail = {}) => {
  if (!EMBED) return;
  if (window.parent !== window) {
    window.parent.postMessage({ type, ...ids, ...detail }, EMBED.origin);
    return;
  }
  if (type === 'kyso:ready' || returned) return;
  returned = true;
  const back = new URL(EMBED.returnUrl);
  back.searchParams.set('kyso_event', type.slice('kyso:'.length));
  location.assign(back.href);
};
tellEmbedder('kyso:ready');

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

const showStatus = (text, cls = 'muted') => {
  app.replaceChildren(el('p', { class: cls, id: 'status', role: 'status', 'aria-live': 'polite' }, text));
};

const renderDocument = async (doc, fields, container) => {
  const lib = await loadPdfJs();
  const pdf = await lib.getDocument({ url: `${api}/documents/${doc.id}`, disableAutoFetch: true }).promise;
  const observer = new IntersectionObserver(
    (entries) => {
      for (const entry of entries) {
        if (!entry.isIntersecting) continue;
        observer.unobserve(entry.target);
        entry.target.dispatchEvent(new Event('render'));
      }
    },
    { rootMargin: '400px' },
  );
  for (let n = 1; n <= pdf.numPages; n++) {
    const page = await pdf.getPage(n);
    const viewport = page.getViewport({ scale: 1 });
    const wrap = el('div', { class: 'page', 'data-page': n, style: `aspect-ratio:${viewport.width}/${viewport.height}` });
    wrap.append(el('span', { class: 'label' }, `${S.page} ${n}/${pdf.numPages}`));
    for (const f of fields.filter((x) => x.page === n)) {
      const box = el(
        'div',
        {
          class: `field${f.type === 'signature' ? ' sig' : ''}`,
          'data-field': f.id,
          style: `left:${(f.x / viewport.width) * 100}%;top:${(f.y / viewport.height) * 100}%;width:${(f.width / viewport.width) * 100}%;height:${(f.height / viewport.height) * 100}%`,
        },
        f.type === 'signature' ? S.signHere : f.label || S[`field_${f.type}`] || f.type,
      );
      wrap.append(box);
    }
    wrap.addEventListener('render', async () => {
      const ratio = Math.min(2, window.devicePixelRatio || 1);
      const width = wrap.clientWidth || 360;
      const vp = page.getViewport({ scale: (width / viewport.width) * ratio });
      const canvas = el('canvas', { width: Math.floor(vp.width), height: Math.floor(vp.height), 'aria-label': `${S.page} ${n}` });
      wrap.prepend(canvas);
      await page.render({ canvasContext: /** @type {CanvasRenderingContext2D} */ (canvas.getContext('2d')), viewport: vp }).promise;
    });
    container.append(wrap);
    observer.observe(wrap);
  }
};

/** A finger/mouse drawing pad: pointer events on a canvas; exported as a transparent PNG data URL. */
const signaturePad = () => {
  const canvas = el('canvas', { id: 'sig-pad', class: 'sig-pad', role: 'img', 'aria-label': S.drawHere });
  const box = el(
    'div',
    { class: 'pad', hidden: true },
    el('p', { class: 'muted', id: 'sig-pad-help' }, S.drawHere),
    canvas,
    el('button', { type: 'button', class: 'secondary', id: 'sig-clear', onclick: () => clear() }, S.clearDrawing),
  );
  let strokes = 0;
  /** @type {CanvasRenderingContext2D} */
  let ctx;
  const clear = () => {
    const ratio = Math.min(2, window.devicePixelRatio || 1);
    canvas.width = Math.floor(canvas.clientWidth * ratio);
    canvas.height = Math.floor(canvas.clientHeight * ratio);
    ctx = /** @type {CanvasRenderingContext2D} */ (canvas.getContext('2d'));
    ctx.scale(ratio, ratio);
    ctx.lineWidth = 2.5;
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    ctx.strokeStyle = '#0b1f5c';
    strokes = 0;
  };
  const point = (e) => {
    const r = canvas.getBoundingClientRect();
    return [e.clientX - r.left, e.clientY - r.top];
  };
  canvas.addEventListener('pointerdown', (e) => {
    e.preventDefault();
    // The pad may have been laid out after it was shown (fonts, lazy pages): size it to what is on screen.
    if (!strokes && canvas.width !== Math.floor(canvas.clientWidth * Math.min(2, window.devicePixelRatio || 1))) clear();
    canvas.setPointerCapture(e.pointerId);
    const [x, y] = point(e);
    ctx.beginPath();
    ctx.moveTo(x, y);
    ctx.lineTo(x + 0.1, y + 0.1);
    ctx.stroke();
    strokes++;
  });
  canvas.addEventListener('pointermove', (e) => {
    if (!canvas.hasPointerCapture(e.pointerId)) return;
    const [x, y] = point(e);
    ctx.lineTo(x, y);
    ctx.stroke();
  });
  return {
    box,
    show: (on) => {
      box.hidden = !on;
      if (on) clear();
    },
    isShown: () => !box.hidden,
    isEmpty: () => strokes === 0,
    toPng: () => canvas.toDataURL('image/png'),
  };
};

const fieldInput = (f) => {
  const id = `f-${f.id}`;
  const name = f.label || S[`field_${f.type}`] || f.type;
  if (f.type === 'checkbox') {
    return el('label', { class: 'check', for: id }, el('input', { type: 'checkbox', id, 'data-id': f.id }), name);
  }
  return el(
    'div',
    {},
    el('label', { for: id }, name, f.required ? ` (${S.required})` : ''),
    el('input', { type: f.type === 'date' ? 'date' : 'text', id, 'data-id': f.id, required: f.required, autocomplete: 'off' }),
  );
};

const render = async (data) => {
  const { envelope, recipient, documents, fields } = data;
  ids.envelopeId = envelope.id;
  ids.recipientId = recipient.id;
  if (recipient.status === 'signed') tellEmbedder('kyso:signed');
  else if (recipient.status === 'approved') tellEmbedder('kyso:approved');
  else if (recipient.status === 'declined') tellEmbedder('kyso:declined');
  document.title = `${envelope.title} · Kyso`;
  const header = el(
    'section',
    { class: 'card' },
    el('h1', {}, envelope.title),
    el('p', { class: 'muted' }, `${S.from}: `, envelope.sender),
  );
  app.replaceChildren(header);
  if (data.verification && !data.verification.verified && envelope.status === 'sent') {
    app.append(verifyCard(data.verification.method));
    return;
  }
  if (data.identity?.required && !data.identity.verified && envelope.status === 'sent' && recipient.status !== 'signed') {
    app.append(identityCard());
    return;
  }
  if (recipient.status === 'signed' || envelope.status !== 'sent') {
    const done = recipient.status === 'signed';
    const card = el('section', { class: 'card' }, el('p', { class: done ? 'ok' : 'error' }, done ? S.alreadySigned : S.notActive));
    if (envelope.status === 'completed') {
      card.append(el('p', {}, S.completed));
      for (const d of documents)
        card.append(el('a', { class: 'download', href: `${api}/documents/${d.id}`, download: d.name }, `${S.download}: ${d.name}`));
      card.append(el('a', { class: 'download', href: `${api}/certificate`, id: 'certificate-link' }, S.certificate));
      card.append(el('p', {}, el('a', { href: `/verify?lang=${window.KYSO_LANG}` }, S.verifyLink)));
    }
    app.append(card);
  }
  const docsBox = el('section', {});
  app.append(docsBox);
  for (const d of documents) {
    const container = el('div', { 'data-document': d.id });
    docsBox.append(el('h2', { class: 'muted', style: 'font-size:1rem' }, `${S.document}: `, d.name), container);
    renderDocument(
      d,
      fields.filter((f) => f.documentId === d.id),
      container,
    ).catch(() => container.append(el('p', { class: 'error' }, S.error)));
  }
  if (recipient.status === 'declined') app.append(el('section', { class: 'card' }, el('p', { class: 'error' }, S.declined)));
  if (recipient.status === 'signed' || recipient.status === 'declined' || envelope.status !== 'sent') return;
  if (recipient.role === 'viewer') return void app.append(el('section', { class: 'card' }, el('p', {}, S.viewerNote)));
  if (recipient.role === 'approver') {
    if (recipient.status === 'approved') return void app.append(el('section', { class: 'card' }, el('p', { class: 'ok' }, S.approved)));
    return void app.append(approveCard(), declineCard());
  }

  const inputs = fields.filter((f) => f.type !== 'signature' && f.type !== 'initials'); // initials are stamped on signing
  const form = el('form', { class: 'card', id: 'sign-form', novalidate: true });
  if (inputs.length) form.append(el('h2', { style: 'font-size:1rem' }, S.yourFields), ...inputs.map(fieldInput));
  const nameInput = el('input', { type: 'text', id: 'typed-name', value: recipient.name, autocomplete: 'name', required: true });
  const pad = signaturePad();
  const modeRadio = (value, label) =>
    el(
      'label',
      { class: 'check', for: `mode-${value}` },
      el('input', {
        type: 'radio',
        name: 'sign-mode',
        id: `mode-${value}`,
        value,
        checked: value === 'typed',
        onchange: () => pad.show(value === 'drawn'),
      }),
      label,
    );
  const modes = el(
    'fieldset',
    { class: 'modes' },
    el('legend', {}, S.signMethod),
    modeRadio('typed', S.typeMode),
    modeRadio('drawn', S.drawMode),
  );
  const agree = el('input', { type: 'checkbox', id: 'agree', required: true });
  const message = el('p', { role: 'alert', class: 'error' });
  const button = el('button', { type: 'submit', id: 'sign-button' }, S.sign);
  // Signers with a USB token sign through the local agent instead (docs/agent-protocol.md).
  const tokenButton = el('button', { type: 'button', class: 'secondary', id: 'token-sign-button' }, S.tokenSign);
  tokenButton.addEventListener('click', async () => {
    message.textContent = '';
    if (!agree.checked) {
      message.textContent = S.agree;
      return;
    }
    const values = fieldValues(form);
    tokenButton.disabled = true;
    try {
      await signWithToken(values);
      location.reload();
    } catch (e) {
      message.textContent = e.message || S.error;
      tokenButton.disabled = false;
    }
  });
  // Remote-signing CAs the signer may choose (GET /methods: the tenant's and the deployment's).
  const remoteSlot = el('div', { id: 'remote-slot' });
  fetch(`${api}/methods`)
    .then((r) => (r.ok ? r.json() : null))
    .then((m) => {
      const choice = remoteChoice({
        api,
        providers: m?.providers ?? [],
        agree,
        message,
        values: () => fieldValues(form),
        onSigned: () => location.reload(),
      });
      if (choice) remoteSlot.replaceChildren(choice);
    })
    .catch(() => {});
  // signatureLevel "digital": the sender requires a licensed CA's certificate, so typing or drawing
  // (the platform's one-time key) is not offered at all; the API would refuse it (403 digital_signature_required).
  const digitalOnly = recipient.signatureLevel === 'digital';
  if (digitalOnly)
    form.append(
      el('p', { class: 'notice', id: 'digital-required' }, S.digitalRequired),
      el('label', { class: 'check', for: 'agree' }, agree, S.agreeDigital),
      message,
      tokenButton,
      remoteSlot,
    );
  else
    form.append(
      modes,
      el('label', { for: 'typed-name' }, S.typeName),
      nameInput,
      pad.box,
      el('label', { class: 'check', for: 'agree' }, agree, S.agree),
      message,
      button,
      tokenButton,
      remoteSlot,
    );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (digitalOnly) return;
    message.textContent = '';
    if (!agree.checked) {
      message.textContent = S.agree;
      agree.focus();
      return;
    }
    const drawn = pad.isShown();
    if (drawn && pad.isEmpty()) {
      message.textContent = S.drawFirst;
      return;
    }
    const values = fieldValues(form);
    button.disabled = true;
    button.textContent = S.signing;
    try {
      const res = await fetch(api, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          fields: values,
          signature: drawn ? { type: 'drawn', value: nameInput.value, image: pad.toPng() } : { type: 'typed', value: nameInput.value },
        }),
      });
      const body = await res.json();
      if (!res.ok) throw new Error(body?.error?.message || S.error);
      const result = el('section', { class: 'card', id: 'signed' }, el('p', { class: 'ok' }, S.done));
      result.append(el('p', {}, body.envelope.status === 'completed' ? S.completed : S.doneWaiting));
      if (body.envelope.status === 'completed') {
        for (const d of body.documents)
          result.append(el('a', { class: 'download', href: `${api}/documents/${d.id}`, download: d.name }, `${S.download}: ${d.name}`));
        result.append(el('a', { class: 'download', href: `${api}/certificate`, id: 'certificate-link' }, S.certificate));
        result.append(el('p', {}, el('a', { href: `/verify?lang=${window.KYSO_LANG}` }, S.verifyLink)));
      }
      form.replaceWith(result);
      decline.remove();
      jump.remove();
      tellEmbedder('kyso:signed', { envelopeStatus: body.envelope.status });
    } catch (e) {
      message.textContent = e.message || S.error;
      button.disabled = false;
      button.textContent = S.sign;
    }
  });
  // The document comes first; a slim bar keeps the way to the signing form one tap away.
  const jump = el('a', { class: 'jump', href: '#sign-form' }, `${S.sign} ↓`);
  new IntersectionObserver(([entry]) => {
    jump.hidden = entry.isIntersecting;
  }).observe(form);
  const decline = declineCard();
  app.append(form, decline, jump);
};

const post = async (path, body) => {
  const res = await fetch(`${api}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body ?? {}),
  });
  const data = await res.json().catch(() => null);
  if (!res.ok) throw new Error(data?.error?.message || S.error);
  return data;
};

// The local signing agent on this computer (tools/kyso-agent); it only answers this site's origin once paired.
/**
 * What the signer typed into the document's fields, by field id (checkboxes as "true"/"false").
 * @param {ParentNode} form
 * @returns {Record<string, string>}
 */
const fieldValues = (form) => {
  /** @type {Record<string, string>} */
  const values = {};
  for (const input of /** @type {NodeListOf<HTMLInputElement>} */ (form.querySelectorAll('[data-id]')))
    values[input.dataset.id ?? ''] = input.type === 'checkbox' ? String(input.checked) : input.value;
  return values;
};

const AGENT = 'http://127.0.0.1:47601';
const agentCall = async (path, body, pairing) => {
  const res = await fetch(`${AGENT}${path}`, {
    method: body ? 'POST' : 'GET',
    headers: { 'content-type': 'application/json', ...(pairing ? { authorization: `Bearer ${pairing}` } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const data = await res.json().catch(() => null);
  if (!res.ok) throw new Error(data?.error?.message || S.error);
  return data;
};

/**
 * prepare → the agent signs the signed attributes of each document → complete. The key never leaves the token.
 * @param {Record<string, string>} values
 */
const signWithToken = async (values) => {
  let pairing = sessionStorage.getItem('kyso-agent') || undefined;
  let info = await agentCall('/v1/info', undefined, pairing).catch(() => {
    throw new Error(S.tokenNoAgent);
  });
  if (!info.paired) {
    const { pairingId } = await agentCall('/v1/pair', {});
    const code = window.prompt(S.tokenPairCode);
    if (!code) throw new Error(S.tokenNoAgent);
    ({ pairingToken: pairing } = await agentCall('/v1/pair/confirm', { pairingId, code: code.trim() }));
    if (!pairing) throw new Error(S.tokenNoAgent);
    sessionStorage.setItem('kyso-agent', pairing);
    info = await agentCall('/v1/info', undefined, pairing);
  }
  const cert = info.certificates[0];
  if (!cert) throw new Error(S.tokenNoCertificate);
  const prepared = await post('/prepare', { certificateChainPem: cert.chainPem, fields: values });
  const signatures = [];
  for (const d of prepared.documents) {
    const signed = await agentCall(
      '/v1/sign',
      {
        certificateId: cert.id,
        signedAttributesB64: d.signedAttributesDer,
        algorithm: prepared.signatureAlgorithm,
        document: { title: document.title },
      },
      pairing,
    );
    signatures.push({ documentId: d.documentId, signature: signed.signatureB64 });
  }
  return post('/complete', { sessionId: prepared.sessionId, signatures });
};

/** A small form: labelled input(s), an alert line, a submit button whose handler may throw. */
const actionForm = (id, children, label, onSubmit) => {
  const message = el('p', { role: 'alert', class: 'error' });
  const button = el('button', { type: 'submit' }, label);
  const form = el('form', { class: 'card', id, novalidate: true }, ...children, message, button);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    message.textContent = '';
    button.disabled = true;
    try {
      await onSubmit(form);
    } catch (e) {
      message.textContent = e.message || S.error;
    } finally {
      button.disabled = false;
    }
  });
  return form;
};

/** One-time code by email, or an access code from the sender: verified once per link, then the page reloads its data. */
const verifyCard = (method) => {
  const code = el('input', { type: 'text', id: 'verify-code', inputmode: 'numeric', autocomplete: 'one-time-code', required: true });
  const sent = el('p', { class: 'ok', role: 'status' });
  /** @type {HTMLElement[]} */
  const children = [el('h2', { style: 'font-size:1rem' }, S.verifyTitle), el('p', {}, method === 'otp' ? S.otpHelp : S.accessCodeHelp)];
  if (method === 'otp') {
    const send = el('button', { type: 'button', class: 'secondary', id: 'send-code' }, S.sendCode);
    send.addEventListener('click', async () => {
      send.disabled = true;
      try {
        await post('/otp');
        sent.textContent = S.codeSent;
        code.focus();
      } catch (e) {
        sent.className = 'error';
        sent.textContent = e.message || S.error;
      } finally {
        send.disabled = false;
      }
    });
    children.push(send, sent);
  }
  children.push(el('label', { for: 'verify-code' }, S.code), code);
  return actionForm('verify-form', children, S.verify, async () => {
    await post('/verify', { code: code.value });
    await load();
  });
};

/** A photo as base64 for the eKYC call (≤ 2 MB each, the API's limit; phones' cameras are asked for). */
const MAX_IMAGE_BYTES = 2 * 1024 * 1024;
const base64Of = (file) =>
  new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ''));
    reader.onerror = () => reject(new Error(S.error));
    reader.readAsDataURL(file);
  });

/**
 * Identity proofing asked by the sender (eKYC: both sides of the CCCD and a selfie; or VNeID
 * through OpenID Connect). Errors are shown in the page's language by their stable code.
 */
const identityCard = () => {
  const photo = (id, label, capture) => [
    el('label', { for: id }, label),
    el('input', { type: 'file', id, accept: 'image/jpeg,image/png', capture, required: true }),
  ];
  const children = [
    el('h2', { style: 'font-size:1rem' }, S.identityTitle),
    el('p', {}, S.identityHelp),
    ...photo('id-front', S.identityFront, 'environment'),
    ...photo('id-back', S.identityBack, 'environment'),
    ...photo('id-selfie', S.identitySelfie, 'user'),
  ];
  const form = actionForm('identity-form', children, S.identitySubmit, async () => {
    const chosen = ['id-front', 'id-back', 'id-selfie'].map(
      (id) => /** @type {HTMLInputElement | null} */ (document.getElementById(id))?.files?.[0],
    );
    const files = chosen.filter((f) => f !== undefined);
    if (files.length < chosen.length) throw new Error(S.identityMissing);
    if (files.some((f) => f.size > MAX_IMAGE_BYTES)) throw new Error(S.identityTooLarge);
    const [front, back, selfie] = await Promise.all(files.map(base64Of));
    const status = /** @type {HTMLElement} */ (form.querySelector('[role=alert]'));
    status.textContent = S.identityChecking;
    const res = await fetch(`${api}/identity/document`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ front, back, selfie }),
    });
    const body = await res.json().catch(() => null);
    if (!res.ok) {
      const code = body?.error?.code;
      const left = body?.error?.details?.attemptsLeft;
      throw new Error(`${S[code] || body?.error?.message || S.error}${typeof left === 'number' ? ` ${S.attemptsLeft}: ${left}.` : ''}`);
    }
    await load();
  });
  const vneid = el('button', { type: 'button', class: 'secondary', id: 'identity-vneid' }, S.identityVneid);
  vneid.addEventListener('click', async () => {
    vneid.disabled = true;
    try {
      const { authorizationUrl } = await post('/identity/oidc');
      // The provider's callback page brings the signer back to this link.
      sessionStorage.setItem('kyso-identity-return', token);
      location.assign(authorizationUrl);
    } catch (e) {
      const alert = form.querySelector('[role=alert]');
      if (alert) alert.textContent = e.message || S.error;
      vneid.disabled = false;
    }
  });
  form.append(vneid);
  return form;
};

const approveCard = () =>
  actionForm('approve-form', [el('p', {}, S.approveHelp)], S.approve, async (form) => {
    await post('/approve');
    form.replaceWith(el('section', { class: 'card', id: 'approved' }, el('p', { class: 'ok' }, S.approved)));
    document.getElementById('decline-box')?.remove();
    tellEmbedder('kyso:approved');
  });

/** Declining is behind a disclosure so it is never pressed by accident; the reason is required. */
const declineCard = () => {
  const reason = el('textarea', { id: 'decline-reason', rows: 3, maxlength: 1000, required: true });
  const form = actionForm('decline-form', [el('label', { for: 'decline-reason' }, S.declineReason), reason], S.declineConfirm, async () => {
    if (!reason.value.trim()) {
      reason.focus();
      throw new Error(S.declineReason);
    }
    await post('/decline', { reason: reason.value });
    app.querySelector('#sign-form')?.remove();
    app.querySelector('#approve-form')?.remove();
    app.querySelector('.jump')?.remove();
    box.replaceWith(el('section', { class: 'card', id: 'declined' }, el('p', { class: 'error' }, S.declined)));
    tellEmbedder('kyso:declined');
  });
  const box = el('details', { id: 'decline-box', class: 'decline' }, el('summary', {}, S.decline), form);
  return box;
};

const load = () =>
  fetch(api)
    .then(async (res) => {
      const body = await res.json();
      if (!res.ok) throw new Error(body?.error?.message || S.error);
      return render(body);
    })
    .catch((e) => {
      showStatus(e.message || S.error, 'error');
      tellEmbedder('kyso:error', { message: e.message || S.error });
    });
load();
