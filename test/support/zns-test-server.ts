import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A Zalo Notification Service stand-in on 127.0.0.1 speaking ZNS's HTTP API: the OA access
 * token endpoint (`POST /v4/oa/access_token`, single-use rotating refresh tokens, `secret_key`
 * header) and `POST /message/template` (header `access_token`). It fails the ways ZNS fails,
 * chosen by the last four digits of the phone number so separate test processes need no
 * shared state:
 *   …0001  error -118: the number has no Zalo account
 *   …0002  error -131: template refused
 *   …0003  HTTP 503: outage
 * An unknown template id is -109, a missing template parameter -111, a bad access token -124.
 * With `callbackUrl` set, each accepted message is followed by a `user_received_message`
 * event to it, signed the way Zalo signs OA webhooks:
 * `X-ZEvent-Signature: mac=sha256(app_id + body + timestamp + oa_secret_key)`.
 */
export interface ZnsSent {
  phone: string;
  template_id: string;
  template_data: Record<string, string>;
  tracking_id: string;
  msg_id: string;
}

/** Phone endings that choose a failure (or, `receiptFirst`, a delivery receipt sent before the send call is answered). */
export const ZNS_SCENARIO = { notOnZalo: '0001', templateRefused: '0002', outage: '0003', receiptFirst: '0004' } as const;

export const startZnsTestServer = async (
  options: {
    appId?: string;
    secretKey?: string;
    /** Template id → the parameters it requires. */
    templates?: Record<string, string[]>;
    oaSecretKey?: string;
  } = {},
) => {
  const appId = options.appId ?? '1234567890';
  const secretKey = options.secretKey ?? randomBytes(10).toString('hex');
  const oaSecretKey = options.oaSecretKey ?? randomBytes(10).toString('hex');
  const templates = options.templates ?? {
    '300001': ['customer_name', 'title', 'link'],
    '300002': ['otp'],
    '300003': ['customer_name', 'title', 'link'],
    '300004': ['title'],
  };
  let refreshToken = `rt-${randomBytes(12).toString('hex')}`;
  const accessTokens = new Set<string>();
  const sent: ZnsSent[] = [];
  const state = { callbackUrl: '' as string, tokenCalls: 0 };

  const read = async (req: IncomingMessage) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  };

  const deliver = async (m: ZnsSent) => {
    if (!state.callbackUrl) return;
    const timestamp = String(Date.now());
    const body = JSON.stringify({
      app_id: appId,
      event_name: 'user_received_message',
      timestamp,
      sender: { id: 'oa-test' },
      recipient: { id: `zuid-${m.phone}` },
      message: { msg_id: m.msg_id, tracking_id: m.tracking_id, delivery_time: timestamp },
    });
    const mac = createHash('sha256').update(`${appId}${body}${timestamp}${oaSecretKey}`).digest('hex');
    await fetch(state.callbackUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-zevent-signature': `mac=${mac}` },
      body,
    }).catch(() => undefined);
  };

  const server = createServer(async (req, res) => {
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const raw = await read(req);
    if (req.method === 'POST' && req.url === '/v4/oa/access_token') {
      state.tokenCalls++;
      const form = new URLSearchParams(raw);
      if (req.headers.secret_key !== secretKey || form.get('app_id') !== appId) return json(200, { error: -14002, message: 'Invalid app' });
      if (form.get('grant_type') !== 'refresh_token' || form.get('refresh_token') !== refreshToken)
        return json(200, { error: -14014, message: 'Invalid refresh token' });
      const access = `at-${randomBytes(12).toString('hex')}`;
      accessTokens.add(access);
      refreshToken = `rt-${randomBytes(12).toString('hex')}`;
      return json(200, { access_token: access, refresh_token: refreshToken, expires_in: '90000' });
    }
    if (req.method === 'POST' && req.url === '/message/template') {
      if (!accessTokens.has(String(req.headers.access_token ?? ''))) return json(200, { error: -124, message: 'Access token is invalid' });
      let body: Partial<ZnsSent>;
      try {
        body = JSON.parse(raw);
      } catch {
        return json(200, { error: -100, message: 'Invalid request' });
      }
      const phone = String(body.phone ?? '');
      if (!/^84\d{9}$/.test(phone)) return json(200, { error: -108, message: 'Phone number is invalid' });
      if (phone.endsWith(ZNS_SCENARIO.outage)) return json(503, { error: -500, message: 'Service unavailable' });
      const required = templates[String(body.template_id)];
      if (!required) return json(200, { error: -109, message: 'Template id is invalid' });
      const data = (body.template_data ?? {}) as Record<string, string>;
      if (required.some((k) => typeof data[k] !== 'string' || data[k] === ''))
        return json(200, { error: -111, message: 'Template data is empty or missing' });
      if (phone.endsWith(ZNS_SCENARIO.notOnZalo)) return json(200, { error: -118, message: 'Zalo account does not exist or is disabled' });
      if (phone.endsWith(ZNS_SCENARIO.templateRefused)) return json(200, { error: -131, message: 'Template was rejected' });
      const msg: ZnsSent = {
        phone,
        template_id: String(body.template_id),
        template_data: data,
        tracking_id: String(body.tracking_id ?? ''),
        msg_id: randomBytes(16).toString('hex'),
      };
      sent.push(msg);
      // Zalo may report delivery before its answer reaches the sender: the receipt lands first.
      if (phone.endsWith(ZNS_SCENARIO.receiptFirst)) await deliver(msg);
      json(200, { error: 0, message: 'Success', data: { msg_id: msg.msg_id, sent_time: String(Date.now()) } });
      if (!phone.endsWith(ZNS_SCENARIO.receiptFirst)) setTimeout(() => void deliver(msg), 50);
      return;
    }
    json(404, { error: -404, message: 'Not found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    appId,
    secretKey,
    oaSecretKey,
    /** The refresh token to configure (it rotates: read it again after use). */
    refreshToken: () => refreshToken,
    sent,
    state,
    /** Invalidates every access token, as Zalo does when an OA re-authorizes. */
    revokeAccessTokens: () => accessTokens.clear(),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
};
