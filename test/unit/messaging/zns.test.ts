import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { znsMessenger } from '../../../functions/messaging/zalo-zns.js';
import { type MessageKind, MessengerError, type PhoneMessage } from '../../../shared/messaging/ports.js';
import { startZnsTestServer, ZNS_SCENARIO } from '../../support/zns-test-server.js';

let zns: Awaited<ReturnType<typeof startZnsTestServer>>;
let stored: string | undefined;
const messenger = (templates: Partial<Record<MessageKind, string>> = { invitation: '300001', otp: '300002' }) =>
  znsMessenger({
    apiUrl: zns.url,
    oauthUrl: zns.url,
    appId: zns.appId,
    secretKey: zns.secretKey,
    templates,
    tokens: {
      load: async () => stored,
      save: async (t) => {
        stored = t;
      },
    },
  });
const message = (to: string, kind: MessageKind = 'invitation'): PhoneMessage => ({
  to,
  kind,
  text: 'unused by ZNS',
  params: kind === 'otp' ? { otp: '123456' } : { customer_name: 'Trần Thị Ánh', title: 'Hợp đồng', link: 'https://k.vn/s/x' },
  trackingId: 'trk-1',
});
const failure = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    return e as MessengerError;
  }
  throw new Error('expected a failure');
};

beforeAll(async () => {
  zns = await startZnsTestServer();
  stored = zns.refreshToken();
});
afterAll(() => zns.close());

describe('ZNS adapter against the ZNS test server', () => {
  it('gets an access token, rotates the refresh token and sends the template with diacritics', async () => {
    const first = stored;
    const sent = await messenger().send(message('+84912000111'));
    expect(sent.provider).toBe('zns');
    expect(stored).not.toBe(first);
    expect(zns.sent.at(-1)).toMatchObject({ phone: '84912000111', template_id: '300001', tracking_id: 'trk-1', msg_id: sent.messageId });
    expect(zns.sent.at(-1)?.template_data.customer_name).toBe('Trần Thị Ánh');
  });

  it('refreshes once when the access token was revoked', async () => {
    const m = messenger();
    await m.send(message('+84912000112'));
    const calls = zns.state.tokenCalls;
    zns.revokeAccessTokens();
    await m.send(message('+84912000113'));
    expect(zns.state.tokenCalls).toBe(calls + 1);
  });

  it.each([
    [ZNS_SCENARIO.notOnZalo, 'not_on_zalo', -118],
    [ZNS_SCENARIO.templateRefused, 'template_refused', -131],
    [ZNS_SCENARIO.outage, 'unavailable', 503],
  ])('…%s fails as %s', async (ending, reason, code) => {
    const e = await failure(messenger().send(message(`+8491234${ending}`)));
    expect(e).toBeInstanceOf(MessengerError);
    expect(e.reason).toBe(reason);
    expect(e.providerCode).toBe(code);
  });

  it('a kind without a configured template, an unknown template, missing parameters', async () => {
    expect((await failure(messenger().send(message('+84912000114', 'reminder')))).reason).toBe('not_configured');
    expect((await failure(messenger({ invitation: '999' }).send(message('+84912000115')))).reason).toBe('template_refused');
    const bad = { ...message('+84912000116'), params: { customer_name: 'A' } };
    expect((await failure(messenger().send(bad))).providerCode).toBe(-111);
  });

  it('a refresh token Zalo no longer accepts, and a server that is not there', async () => {
    const saved = stored;
    stored = 'rt-stale';
    expect((await failure(messenger().send(message('+84912000117')))).reason).toBe('not_configured');
    stored = saved;
    const down = znsMessenger({
      apiUrl: 'http://127.0.0.1:9',
      oauthUrl: 'http://127.0.0.1:9',
      appId: 'x',
      secretKey: 'y',
      templates: { invitation: '300001' },
      tokens: { load: async () => 'rt', save: async () => undefined },
      timeoutMs: 1000,
    });
    expect((await failure(down.send(message('+84912000118')))).reason).toBe('unavailable');
  });
});
