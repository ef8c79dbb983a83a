// Remote signing on the signer page: one button per CA the signer may choose ("Ký số từ xa với
// VNPT SmartCA"), then the signer's id at that CA, then confirmation on their phone while the page
// polls. The id is sent once and kept nowhere (no storage, autocomplete off); a refusal is
// explained in plain words by its stable error code, never by the CA's own text.
import { el } from './html.js';

const S = window.KYSO_STRINGS;

/** Plain words for a refusal, by the API's error code. */
const explain = (code, fallback) => {
  if (code === 'signing_session_expired') return S.remote_signing_timeout;
  const known = /** @type {Record<string, string>} */ (/** @type {unknown} */ (S))[code];
  return known || fallback || S.error;
};

/**
 * @param {string} api `/v1/sign/<token>`
 * @param {string} path
 * @param {unknown} [body]
 */
const call = async (api, path, body) => {
  const res = await fetch(`${api}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const data = await res.json().catch(() => null);
  if (!res.ok) throw new Error(explain(data?.error?.code, data?.error?.message));
  return data;
};

/**
 * The choice of remote-signing CAs, or nothing when the sender offers none.
 * @param {{ api: string, providers: { id: string, name: string }[], agree: HTMLInputElement, message: HTMLElement,
 *   values: () => Record<string, string>, onSigned: () => void }} o
 */
export const remoteChoice = (o) => {
  if (!o.providers.length) return null;
  const box = el('fieldset', { class: 'modes remote', id: 'remote-choice' }, el('legend', {}, S.remoteChoose));
  const chosenText = el('p', { id: 'remote-chosen', class: 'muted' });
  const userId = el('input', {
    type: 'text',
    id: 'remote-user-id',
    autocomplete: 'off',
    spellcheck: false,
    maxlength: 100,
    inputmode: 'text',
  });
  const send = el('button', { type: 'button', id: 'remote-send' }, S.remoteSend);
  const cancel = el('button', { type: 'button', class: 'secondary', id: 'remote-cancel' }, S.remoteCancel);
  const panel = el(
    'div',
    { id: 'remote-panel', hidden: true },
    chosenText,
    el('label', { for: 'remote-user-id' }, S.remoteUserIdLabel),
    userId,
    el('p', { class: 'muted' }, S.remoteNotKept),
    send,
    cancel,
  );
  /** @type {{ id: string, name: string } | undefined} */
  let chosen;
  const buttons = o.providers.map((p) =>
    el(
      'button',
      {
        type: 'button',
        class: 'secondary remote-provider',
        'data-provider': p.id,
        onclick: () => {
          chosen = p;
          chosenText.textContent = `${S.remoteSignWith} ${p.name}`;
          panel.hidden = false;
          o.message.textContent = '';
          userId.focus();
        },
      },
      `${S.remoteSignWith} ${p.name}`,
    ),
  );
  cancel.addEventListener('click', () => {
    chosen = undefined;
    userId.value = '';
    panel.hidden = true;
  });
  // Enter in the id field sends this request, never the form's typed/drawn signature.
  userId.addEventListener('keydown', (ev) => {
    if (ev.key !== 'Enter') return;
    ev.preventDefault();
    send.click();
  });
  send.addEventListener('click', async () => {
    o.message.textContent = '';
    if (!chosen) return;
    if (!o.agree.checked) {
      o.message.textContent = o.agree.labels?.[0]?.textContent || S.agree;
      return;
    }
    const id = userId.value.trim();
    if (!id) {
      o.message.textContent = S.remoteEmpty;
      return;
    }
    send.disabled = true;
    try {
      let state = await call(o.api, '/remote', { providerId: chosen.id, userId: id, fields: o.values() });
      userId.value = '';
      while (state.status === 'pending') {
        o.message.textContent = S.remoteWaiting;
        await new Promise((r) => setTimeout(r, (state.pollAfterSeconds || 2) * 1000));
        state = await call(o.api, `/remote/${encodeURIComponent(state.sessionId)}`);
      }
      o.onSigned();
    } catch (e) {
      o.message.textContent = e.message || S.error;
      send.disabled = false;
    }
  });
  box.append(...buttons, panel);
  return box;
};
