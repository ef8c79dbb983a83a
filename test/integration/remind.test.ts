import { describe, expect, inject, it } from 'vitest';
import { call, envelopeJson, fixture, mailsTo, uniqueEmail } from '../support/api.js';

describe('remind now', () => {
  it('emails a fresh link to whoever is due, at most once an hour, and refuses when nobody can be reminded', async () => {
    const key = inject('devApiKey');
    const email = uniqueEmail('nhac');
    const created = await call<{ id: string }>('POST', '/v1/envelopes', {
      key,
      json: envelopeJson({
        pdf: fixture('hop-dong-dien.pdf'),
        signers: [
          { name: 'Hồ Văn Nhắc', email },
          { name: 'Sau', email: uniqueEmail('sau') },
        ],
      }),
    });
    const draft = await call<{ error: { code: string } }>('POST', `/v1/envelopes/${created.body.id}/remind`, { key });
    expect(draft.status).toBe(409);
    await call('POST', `/v1/envelopes/${created.body.id}/send`, { key });
    expect(await mailsTo(email)).toHaveLength(1);

    const r = await call<{ reminded: number }>('POST', `/v1/envelopes/${created.body.id}/remind`, { key });
    expect(r.status).toBe(200);
    expect(r.body.reminded).toBe(1); // only the first signer: the second waits for their turn
    const mails = await mailsTo(email);
    expect(mails).toHaveLength(2);
    const links = mails.map((m) => /\/s\/(\S+)/.exec(m.text)?.[1]);
    expect(links[1]).not.toBe(links[0]);
    // the reminder's link works
    expect((await call('GET', `/v1/sign/${links[1]}`)).status).toBe(200);

    const again = await call<{ error: { code: string } }>('POST', `/v1/envelopes/${created.body.id}/remind`, { key });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('invalid_state');
    const audit = await call<{ events: { action: string; actor: { type: string } }[] }>('GET', `/v1/envelopes/${created.body.id}/audit`, {
      key,
    });
    expect(audit.body.events.filter((e) => e.action === 'recipient.reminded').map((e) => e.actor.type)).toEqual(['tenant']);
  });
});
