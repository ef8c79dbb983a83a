import { describe, expect, it } from 'vitest';
import type { Effect } from '../../../shared/envelope/effects.js';
import type { MailMessage, MailSendOptions } from '../../../shared/envelope/ports.js';
import { AwaitingSendEvent, sendOwedEmail } from '../../../shared/messaging/owed-email.js';
import { memoryOutbox, owed } from '../worker/memory-outbox.js';

const MAIL: MailMessage = { to: 'lan@example.vn', subject: 'Hợp đồng đã hoàn tất', text: 't', html: '<p>t</p>' };
const NOTICE: Effect = { kind: 'message', message: MAIL };
const T0 = Date.parse('2026-12-02T08:00:00Z');

const setup = (extra: Parameters<typeof owed>[3] = {}, fail?: Error) => {
  const outbox = memoryOutbox();
  const item = owed(4, 2, NOTICE, extra);
  outbox.items.set(item.id, item);
  const sent: { message: MailMessage; options?: MailSendOptions }[] = [];
  let now = T0;
  const deps = {
    outbox: outbox.store,
    clock: { now: () => new Date(now) },
    sendEventWaitMs: 10_000,
    mailer: {
      send: async (message: MailMessage, options?: MailSendOptions) => {
        sent.push({ message, ...(options ? { options } : {}) });
        if (fail) throw fail;
        return { provider: 'ses' as const, messageId: `m-${sent.length}` };
      },
    },
  };
  const at = (ms: number) => {
    now = ms;
  };
  return { deps, outbox, item, sent, at };
};

describe('sendOwedEmail: an owed email goes once across a worker that dies', () => {
  it('marks the hand-over first and tags the email with the item, so SES’s Send event can find it', async () => {
    const { deps, outbox, item, sent } = setup();
    const result = await sendOwedEmail(deps, MAIL, item);
    expect(result).toEqual({ provider: 'ses', messageId: 'm-1' });
    expect(sent).toHaveLength(1);
    const ref = sent[0]?.options?.outboxRef as string;
    expect(ref).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(outbox.items.get(item.id)?.sendingAt).toBe(new Date(T0).toISOString());
    // The Send event's write, found from the tag alone.
    expect(await outbox.store.markEmailAccepted(ref, 'm-1', new Date(T0))).toBe(true);
    expect(outbox.items.get(item.id)?.emailMessageId).toBe('m-1');
  });

  it('sends nothing when SES already took it (its MessageId is on the item)', async () => {
    const { deps, item, sent } = setup({ sendingAt: new Date(T0 - 1000).toISOString(), emailMessageId: 'm-earlier' });
    expect(await sendOwedEmail(deps, MAIL, item)).toEqual({ provider: 'ses', messageId: 'm-earlier' });
    expect(sent).toHaveLength(0);
  });

  it('waits for the Send event while an earlier hand-over may have gone, then sends again', async () => {
    const { deps, item, sent, at } = setup({ sendingAt: new Date(T0 - 4000).toISOString() });
    const waiting = await sendOwedEmail(deps, MAIL, item).catch((e) => e);
    expect(waiting).toBeInstanceOf(AwaitingSendEvent);
    expect((waiting as AwaitingSendEvent).retryAt.toISOString()).toBe(new Date(T0 + 6000).toISOString());
    expect(sent).toHaveLength(0);
    at(T0 + 6000);
    await sendOwedEmail(deps, MAIL, item);
    expect(sent).toHaveLength(1);
  });

  it('clears the mark when SES answered and refused (it surely did not go), keeps it on a timeout', async () => {
    const refused = Object.assign(new Error('Email address is not verified'), {
      name: 'MessageRejected',
      $metadata: { httpStatusCode: 400 },
    });
    const a = setup({}, refused);
    await expect(sendOwedEmail(a.deps, MAIL, a.item)).rejects.toThrow('not verified');
    expect(a.outbox.items.get(a.item.id)?.sendingAt).toBeUndefined();

    const timeout = Object.assign(new Error('socket hang up'), { name: 'TimeoutError' });
    const b = setup({}, timeout);
    await expect(sendOwedEmail(b.deps, MAIL, b.item)).rejects.toThrow('hang up');
    expect(b.outbox.items.get(b.item.id)?.sendingAt).toBe(new Date(T0).toISOString());
  });

  it('is a plain send for a message no item owes', async () => {
    const { deps, sent } = setup();
    await sendOwedEmail(deps, MAIL);
    expect(sent).toEqual([{ message: MAIL }]);
  });
});

describe('sendLinkMessages while an earlier run’s email may have gone', () => {
  it('makes no fresh link (it would replace the one that email carries) and waits for the Send event', async () => {
    const { sendLinkMessages } = await import('../../../shared/envelope/owed-effects.js');
    const sendingAt = new Date(T0 - 2000).toISOString();
    const item = owed(3, 0, { kind: 'link-message', recipientId: 'r1', purpose: 'sign' }, { sendingAt });
    const touched: string[] = [];
    const deps = {
      clock: { now: () => new Date(T0) },
      sendEventWaitMs: 10_000,
      envelopes: { get: async () => void touched.push('envelopes.get') },
      tokens: { put: async () => void touched.push('tokens.put') },
    };
    const [outcome] = await sendLinkMessages(deps as never, [{ item, effect: item.effect as never }]);
    expect(outcome).toBeInstanceOf(AwaitingSendEvent);
    expect((outcome as AwaitingSendEvent).retryAt.toISOString()).toBe(new Date(T0 + 8000).toISOString());
    expect(touched).toEqual([]);
  });
});

describe('sendLinkMessages: what an invitation records on its item', () => {
  /** One envelope, one notified signer reached by `channels`; the audit append fails if told. */
  const invitation = async (channels: ('email' | 'sms')[], appendFails: boolean) => {
    const { sendLinkMessages } = await import('../../../shared/envelope/owed-effects.js');
    const outbox = memoryOutbox();
    const item = owed(2, 0, {
      kind: 'link-message',
      recipientId: 'r1',
      purpose: 'sign',
      audit: { action: 'recipient.notified', actor: { type: 'system' }, data: { recipientId: 'r1' } },
    } as Effect);
    outbox.items.set(item.id, item);
    let envelope = {
      id: 'e1',
      tenantId: 't1',
      version: 2,
      commits: ['commit1', 'commit2'],
      status: 'sent',
      title: 'Hợp đồng lao động',
      language: 'vi',
      recipients: [{ id: 'r1', name: 'Lan', email: 'lan@example.vn', phone: '+84901234567', status: 'notified', channels }],
    };
    const deps = {
      clock: { now: () => new Date(T0) },
      linkTtlDays: 30,
      publicUrl: 'https://kyso.example.vn',
      outbox: outbox.store,
      outboxSignal: { notify: () => undefined },
      envelopes: {
        get: async () => envelope,
        commit: async (next: typeof envelope) => {
          envelope = next;
        },
      },
      tokens: { put: async () => undefined, delete: async () => undefined },
      tenants: { get: async () => ({ id: 't1', name: 'Công ty Thử' }) },
      deliveries: { record: async () => undefined },
      mailer: { send: async () => ({ provider: 'ses' as const, messageId: 'ses-1' }) },
      messengers: { sms: { send: async () => ({ provider: 'sns' as const, messageId: 'sns-1' }) } },
      audit: {
        append: async () => {
          if (appendFails) throw new Error('throttled');
        },
      },
    };
    const [outcome] = await sendLinkMessages(deps as never, [{ item, effect: item.effect as never }]);
    return { outcome, stored: outbox.items.get(item.id) };
  };

  it('an email: the hand-over mark only (SES’s MessageId settles a rerun), marked sent only if its audit append failed', async () => {
    const ok = await invitation(['email'], false);
    expect(ok.outcome).toBeUndefined();
    expect(ok.stored?.sendingAt).toBeDefined();
    expect(ok.stored?.sentAt).toBeUndefined();
    const failed = await invitation(['email'], true);
    expect(failed.outcome).toBeInstanceOf(Error);
    expect(failed.stored).toMatchObject({ sentChannels: 'email', sentAt: new Date(T0).toISOString() });
  });

  it('an SMS: marked sent at once (no provider reference settles a rerun)', async () => {
    const ok = await invitation(['sms'], false);
    expect(ok.outcome).toBeUndefined();
    expect(ok.stored).toMatchObject({ sentChannels: 'sms' });
  });
});
