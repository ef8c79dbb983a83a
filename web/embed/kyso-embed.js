// kyso-embed.js: embedded signing for the tenant's own pages (served at /assets/kyso-embed.js with
// CORS, so other origins can import it; also exported by clients/typescript). Plain ES module, no dependencies.
//
//   import { openSigning } from 'https://kyso.example.vn/assets/kyso-embed.js';
//   const { url } = await yourBackend.embeddedLink(...);   // POST /v1/envelopes/{id}/recipients/{rid}/embedded-link
//   const outcome = await openSigning({ url, container: document.getElementById('ky') });
//   if (outcome.status === 'signed') ...
//
// The page inside posts its events to the allowedOrigin of the link only; here they are accepted
// only from that frame and from Kyso's origin, so another window cannot fake an outcome.

const FINAL = { 'kyso:signed': 'signed', 'kyso:approved': 'approved', 'kyso:declined': 'declined', 'kyso:error': 'error' };

/**
 * Opens the embedded signing URL and resolves once the signer is done.
 * @param {{ url: string, container?: HTMLElement, mode?: 'iframe' | 'redirect', readyTimeoutMs?: number,
 *   onEvent?: (event: { type: string, [k: string]: unknown }) => void, iframeTitle?: string }} options
 * @returns {Promise<{ status: 'signed' | 'approved' | 'declined' | 'error', envelopeId?: string, recipientId?: string, message?: string }>}
 */
export const openSigning = (options) => {
  const url = new URL(options.url, window.location.href);
  if (options.mode === 'redirect') {
    window.location.assign(url.href);
    // The page is left; the outcome comes back on returnUrl (signingOutcome()).
    return new Promise(() => {});
  }
  const container = options.container ?? document.body;
  const iframe = document.createElement('iframe');
  iframe.src = url.href;
  iframe.title = options.iframeTitle ?? 'Kyso';
  iframe.setAttribute('data-kyso-embed', '');
  iframe.style.cssText = 'border:0;width:100%;height:100%;min-height:600px';
  return new Promise((resolve) => {
    let ready = false;
    const finish = (outcome) => {
      window.removeEventListener('message', onMessage);
      clearTimeout(timer);
      resolve(outcome);
    };
    const onMessage = (event) => {
      if (event.source !== iframe.contentWindow || event.origin !== url.origin) return;
      const data = event.data;
      if (!data || typeof data.type !== 'string' || !data.type.startsWith('kyso:')) return;
      options.onEvent?.(data);
      if (data.type === 'kyso:ready') ready = true;
      const status = FINAL[data.type];
      if (!status) return;
      const outcome = { status };
      for (const key of ['envelopeId', 'recipientId', 'message']) if (typeof data[key] === 'string') outcome[key] = data[key];
      finish(outcome);
    };
    // A page that never says it is ready (the link was used or expired: that page may not be framed).
    const timer = setTimeout(() => {
      if (!ready) finish({ status: 'error', message: 'The signing page did not load (the link may be used or expired).' });
    }, options.readyTimeoutMs ?? 20_000);
    window.addEventListener('message', onMessage);
    container.append(iframe);
  });
};

/**
 * On the returnUrl page after a redirect: the outcome the signer page appended (?kyso_event=…), if any.
 * @param {string} [href]
 * @returns {{ status: 'signed' | 'approved' | 'declined' | 'error' } | undefined}
 */
export const signingOutcome = (href = window.location.href) => {
  const event = new URL(href).searchParams.get('kyso_event');
  return event === 'signed' || event === 'approved' || event === 'declined' || event === 'error' ? { status: event } : undefined;
};

if (typeof window !== 'undefined') window.KysoEmbed = { openSigning, signingOutcome };
