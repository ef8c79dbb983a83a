import { randomInt } from 'node:crypto';
import { call, outboxDrained } from './api.js';

/** A fresh Vietnamese mobile number (E.164) for one test; `ending` picks a ZNS test-server scenario. */
export const uniquePhone = (ending?: string): string => {
  for (;;) {
    const digits = `9${String(randomInt(0, 10 ** 8)).padStart(8, '0')}`;
    const n = ending ? `${digits.slice(0, 9 - ending.length)}${ending}` : digits;
    if (ending || !/000[1-4]$/.test(n)) return `+84${n}`;
  }
};

export interface PhoneMessage {
  to: string;
  kind: string;
  text: string;
  params: Record<string, string>;
  channel: 'sms' | 'zalo';
  messageId: string;
}

export const messagesTo = async (channel: 'sms' | 'zalo', phone: string): Promise<PhoneMessage[]> => {
  // Messages leave through the outbox (the worker sends them): wait until it owes nothing, as mailsTo does.
  await outboxDrained();
  const r = await call<{ messages: PhoneMessage[] }>('GET', `/dev/${channel}`);
  return r.body.messages.filter((m) => m.to === phone);
};

/** The signing token from the latest SMS (or Zalo message) to `phone`. */
export const latestPhoneToken = async (channel: 'sms' | 'zalo', phone: string): Promise<string> => {
  const all = await messagesTo(channel, phone);
  const last = all.filter((m) => m.kind === 'invitation' || m.kind === 'reminder').at(-1);
  const text = channel === 'sms' ? last?.text : last?.params.link;
  const token = text && /\/s\/([A-Za-z0-9_-]+)/.exec(text)?.[1];
  if (!token) throw new Error(`no signing link sent by ${channel} to ${phone}`);
  return token;
};
