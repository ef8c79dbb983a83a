import { type MessageKind, type Messenger, MessengerError } from '../../shared/messaging/ports.js';
import { readSecret, type SecretSource } from '../aws/admin-key-secret.js';

/**
 * Zalo Notification Service (ZNS): template messages to a phone number, sent by the tenant's
 * Official Account. The wire format is Zalo's:
 *  - access token: `POST {oauthUrl}/v4/oa/access_token` (form: app_id, grant_type=refresh_token,
 *    refresh_token; header `secret_key`) → `{access_token, refresh_token, expires_in}`. Refresh
 *    tokens are single-use, so the rotated one is handed to `tokens.save`.
 *  - send: `POST {apiUrl}/message/template` (header `access_token`; JSON phone without '+',
 *    template_id, template_data, tracking_id) → `{error: 0, data: {msg_id, sent_time}}` or
 *    `{error: <negative code>, message}`.
 * Templates are approved by Zalo beforehand, one per message kind (configuration); their
 * parameters carry Vietnamese with diacritics.
 */
export interface ZnsOptions {
  readonly apiUrl: string;
  readonly oauthUrl: string;
  readonly appId: string;
  /** The app's secret key, or where to read it (the provider-secrets secret). */
  readonly secretKey: SecretSource;
  readonly templates: Partial<Record<MessageKind, string>>;
  /** Where the current refresh token lives (it rotates on every use). */
  readonly tokens: { load(): Promise<string | undefined>; save(refreshToken: string): Promise<void> };
  readonly fetch?: typeof fetch;
  readonly timeoutMs?: number;
}

/** ZNS error codes we tell apart; anything else non-zero is `refused`. */
const NOT_ON_ZALO = new Set([-118, -119, -139]);
const TEMPLATE = new Set([-109, -111, -112, -131, -133]);
const BAD_TOKEN = new Set([-124, -216]);

export const znsMessenger = (options: ZnsOptions): Messenger => {
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 8000;
  let access: { token: string; until: number } | undefined;

  const call = async (url: string, init: RequestInit): Promise<Record<string, unknown>> => {
    let r: Response;
    try {
      r = await doFetch(url, { ...init, redirect: 'error', signal: AbortSignal.timeout(timeoutMs) });
    } catch (e) {
      throw new MessengerError('unavailable', `ZNS unreachable (${(e as Error).name})`);
    }
    if (r.status >= 500 || r.status === 429) throw new MessengerError('unavailable', `ZNS answered HTTP ${r.status}`, r.status);
    const body = (await r.json().catch(() => undefined)) as Record<string, unknown> | undefined;
    if (!body || typeof body !== 'object') throw new MessengerError('unavailable', `ZNS answered HTTP ${r.status} without JSON`, r.status);
    return body;
  };

  const accessToken = async (force = false): Promise<string> => {
    if (!force && access && access.until > Date.now()) return access.token;
    let refresh: string | undefined;
    let secretKey: string;
    try {
      refresh = await options.tokens.load();
      secretKey = await readSecret(options.secretKey);
    } catch (e) {
      throw new MessengerError('unavailable', `ZNS credentials could not be read (${(e as Error).name})`);
    }
    if (!refresh) throw new MessengerError('not_configured', 'no ZNS refresh token configured');
    const body = await call(`${options.oauthUrl}/v4/oa/access_token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', secret_key: secretKey },
      body: new URLSearchParams({ app_id: options.appId, grant_type: 'refresh_token', refresh_token: refresh }).toString(),
    });
    if (typeof body.access_token !== 'string')
      throw new MessengerError('not_configured', 'ZNS refused the refresh token', String(body.error ?? ''));
    if (typeof body.refresh_token === 'string') await options.tokens.save(body.refresh_token);
    const ttl = Number(body.expires_in ?? 3600) * 1000;
    access = { token: body.access_token, until: Date.now() + Math.max(60_000, ttl - 300_000) };
    return access.token;
  };

  const sendOnce = async (token: string, templateId: string, m: Parameters<Messenger['send']>[0]) =>
    call(`${options.apiUrl}/message/template`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', access_token: token },
      body: JSON.stringify({ phone: m.to.replace(/^\+/, ''), template_id: templateId, template_data: m.params, tracking_id: m.trackingId }),
    });

  return {
    channel: 'zalo',
    async send(m) {
      const templateId = options.templates[m.kind];
      if (!templateId) throw new MessengerError('not_configured', `no ZNS template configured for ${m.kind}`);
      let body = await sendOnce(await accessToken(), templateId, m);
      // An access token can be revoked before it expires: refresh once and retry.
      if (BAD_TOKEN.has(Number(body.error))) body = await sendOnce(await accessToken(true), templateId, m);
      const code = Number(body.error);
      if (code === 0) {
        const id = (body.data as { msg_id?: unknown } | undefined)?.msg_id;
        if (typeof id !== 'string') throw new MessengerError('unavailable', 'ZNS accepted the message without a msg_id');
        return { messageId: id, provider: 'zns' };
      }
      const reason = NOT_ON_ZALO.has(code)
        ? 'not_on_zalo'
        : TEMPLATE.has(code)
          ? 'template_refused'
          : code === -108
            ? 'invalid_number'
            : BAD_TOKEN.has(code)
              ? 'not_configured'
              : 'refused';
      throw new MessengerError(reason, `ZNS error ${code}`, code);
    },
  };
};
