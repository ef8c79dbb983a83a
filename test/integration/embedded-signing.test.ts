import { describe, expect, inject, it } from 'vitest';
import { baseUrl, call, createTenant, envelopeJson, fixture, mailsTo, outboxDrained, uniqueEmail } from '../support/api.js';
import { messagesTo, uniquePhone } from '../support/phone.js';

/**
 * Embedded signing over HTTP: recipients with delivery "embedded" get no message; the tenant asks
 * for a 5-minute single-use URL for one of them, bound to the origin that may frame the page.
 */
const ORIGIN = 'http://127.0.0.1:4321';

interface Envelope {
  id: string;
  status: string;
  language: string;
  recipients: { id: string; email: string; delivery: string; status: string }[];
}

const sentEnvelope = async (key: string, opts: { language?: 'vi' | 'en'; withEmail?: string } = {}) => {
  const base = envelopeJson({
    pdf: fixture('hop-dong-lao-dong.pdf'),
    signers: [
      { name: 'Nguyễn Văn An', email: 'unused@example.vn' },
      { name: 'Trần Thị Bình', email: 'unused2@example.vn' },
    ],
  });
  const json = {
    ...base,
    title: `Hợp đồng nhúng ${Math.random().toString(36).slice(2, 8)}`,
    ...(opts.language ? { language: opts.language } : {}),
    recipients: [
      // No email or phone: reached only through the tenant's page.
      { name: 'Nguyễn Văn An', role: 'signer', order: 1, delivery: 'embedded' },
      { name: 'Trần Thị Bình', role: 'signer', order: 2, delivery: 'embedded', ...(opts.withEmail ? { email: opts.withEmail } : {}) },
    ],
  };
  const created = await call<Envelope>('POST', '/v1/envelopes', { key, json });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const sent = await call<Envelope>('POST', `/v1/envelopes/${created.body.id}/send`, { key });
  expect(sent.status).toBe(200);
  return { envelope: sent.body, title: json.title };
};

const embeddedLink = (key: string, envelopeId: string, recipientId: string, body: unknown) =>
  call<{ url: string; expiresAt: string; error?: { code: string } }>(
    'POST',
    `/v1/envelopes/${envelopeId}/recipients/${recipientId}/embedded-link`,
    {
      key,
      json: body,
    },
  );

const openNoRedirect = (url: string) => fetch(url, { redirect: 'manual' });

describe('embedded signing', () => {
  it('sends no message to embedded recipients, and a single-use link opens a framable page for one origin only', async () => {
    const key = inject('devApiKey');
    const email = uniqueEmail('embedded');
    const { envelope, title } = await sentEnvelope(key, { language: 'en', withEmail: email });
    expect(envelope.language).toBe('en');
    expect(envelope.recipients.map((r) => [r.delivery, r.status])).toEqual([
      ['embedded', 'notified'],
      ['embedded', 'pending'],
    ]);
    const [first, second] = envelope.recipients as [Envelope['recipients'][0], Envelope['recipients'][0]];
    await outboxDrained();
    const all = await call<{ messages: { subject: string; text: string }[] }>('GET', '/dev/mail');
    expect(all.body.messages.filter((m) => m.subject.includes(title) || m.text.includes(title))).toEqual([]);
    const notified = (
      await call<{ events: { action: string; data?: { recipientId?: string; channel?: string } }[] }>(
        'GET',
        `/v1/envelopes/${envelope.id}/audit`,
        { key },
      )
    ).body.events.find((e) => e.action === 'recipient.notified');
    expect(notified?.data).toMatchObject({ recipientId: first.id, channel: 'embedded' });

    // Not their turn yet: no link for the second signer.
    expect((await embeddedLink(key, envelope.id, second.id, { allowedOrigin: ORIGIN, returnUrl: `${ORIGIN}/done` })).body.error?.code).toBe(
      'not_your_turn',
    );

    const before = Date.now();
    const made = await embeddedLink(key, envelope.id, first.id, { allowedOrigin: ORIGIN, returnUrl: `${ORIGIN}/done?x=1` });
    expect(made.status).toBe(201);
    // The URL is on PUBLIC_URL (the test server's is not where it listens): open its path here.
    const path = new URL(made.body.url).pathname;
    expect(path).toMatch(/^\/embed\/[A-Za-z0-9_-]{40,}$/);
    const url = `${baseUrl()}${path}`;
    const ttl = Date.parse(made.body.expiresAt) - before;
    expect(ttl).toBeGreaterThan(4.5 * 60_000);
    expect(ttl).toBeLessThanOrEqual(5 * 60_000 + 1000);

    // First open: a session on the signer page; the same URL never opens again.
    const opened = await openNoRedirect(url);
    expect(opened.status).toBe(303);
    const location = opened.headers.get('location') ?? '';
    const session = /^\/s\/([A-Za-z0-9_-]+)$/.exec(location)?.[1] ?? '';
    expect(session).not.toBe('');
    expect(path.endsWith(session)).toBe(false);
    const again = await openNoRedirect(url);
    expect(again.status).toBe(404);
    expect(again.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");

    const page = await fetch(`${baseUrl()}/s/${session}`);
    expect(page.status).toBe(200);
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain(`frame-ancestors ${ORIGIN};`.replace(/;$/, ''));
    expect(csp).not.toContain("frame-ancestors 'none'");
    const html = await page.text();
    expect(html).toContain('<html lang="en">');
    expect(html).toContain(`window.KYSO_EMBED={"origin":"${ORIGIN}","returnUrl":"${ORIGIN}/done?x=1"}`);
    // The signer can still switch the language.
    expect(await (await fetch(`${baseUrl()}/s/${session}?lang=vi`)).text()).toContain('<html lang="vi">');

    // The session signs like any link.
    const signed = await call<{ envelope: { status: string } }>('POST', `/v1/sign/${session}`, {
      json: { fields: {}, signature: { type: 'typed', value: 'Nguyễn Văn An' } },
    });
    expect(signed.status, JSON.stringify(signed.body)).toBe(200);
    // The second signer's turn came: still no message, even though they have an email address.
    await outboxDrained();
    expect(await mailsTo(email)).toEqual([]);
    const next = await embeddedLink(key, envelope.id, second.id, { allowedOrigin: ORIGIN, returnUrl: `${ORIGIN}/done` });
    expect(next.status).toBe(201);
  });

  it('refuses bad origins and return URLs with stable codes, other tenants, and roles that do not sign', async () => {
    const key = inject('devApiKey');
    const { envelope } = await sentEnvelope(key);
    const rid = envelope.recipients[0]?.id ?? '';
    const cases: [unknown, string][] = [
      [{ allowedOrigin: 'http://hr.example.vn', returnUrl: 'http://hr.example.vn/x' }, 'invalid_allowed_origin'],
      [{ allowedOrigin: 'https://hr.example.vn/path', returnUrl: 'https://hr.example.vn/x' }, 'invalid_allowed_origin'],
      [{ allowedOrigin: 'https://user:pw@hr.example.vn', returnUrl: 'https://hr.example.vn/x' }, 'invalid_allowed_origin'],
      [{ allowedOrigin: "https://hr.example.vn 'unsafe-inline'", returnUrl: 'https://hr.example.vn/x' }, 'invalid_allowed_origin'],
      [{ allowedOrigin: 'javascript:alert(1)', returnUrl: 'https://hr.example.vn/x' }, 'invalid_allowed_origin'],
      [{ allowedOrigin: 'https://hr.example.vn', returnUrl: 'https://evil.example/x' }, 'invalid_return_url'],
      [{ allowedOrigin: 'https://hr.example.vn', returnUrl: 'https://u:p@hr.example.vn/x' }, 'invalid_return_url'],
      [{ allowedOrigin: 'https://hr.example.vn', returnUrl: 'javascript:alert(1)' }, 'invalid_return_url'],
      [{ allowedOrigin: 'https://hr.example.vn' }, 'validation_failed'],
    ];
    for (const [body, code] of cases) {
      const r = await embeddedLink(key, envelope.id, rid, body);
      expect([r.status, r.body.error?.code], JSON.stringify(body)).toEqual([400, code]);
    }
    // https anywhere, http on loopback: accepted (a trailing slash on the origin is fine).
    expect(
      (await embeddedLink(key, envelope.id, rid, { allowedOrigin: 'https://hr.example.vn/', returnUrl: 'https://hr.example.vn/' })).status,
    ).toBe(201);

    const other = await createTenant('Công ty khác');
    const foreign = await embeddedLink(other.apiKey, envelope.id, rid, { allowedOrigin: ORIGIN, returnUrl: `${ORIGIN}/` });
    expect([foreign.status, foreign.body.error?.code]).toEqual([404, 'envelope_not_found']);
    const unknown = await embeddedLink(key, envelope.id, 'nobody', { allowedOrigin: ORIGIN, returnUrl: `${ORIGIN}/` });
    expect(unknown.body.error?.code).toBe('unknown_recipient');

    // A viewer cannot be embedded, and a recipient with neither email nor phone must be embedded.
    const base = envelopeJson({ pdf: fixture('hop-dong-lao-dong.pdf'), signers: [{ name: 'An', email: uniqueEmail('e') }] });
    const viewer = await call<{ error: { code: string; message: string } }>('POST', '/v1/envelopes', {
      key,
      json: { ...base, recipients: [...base.recipients, { name: 'Xem', role: 'viewer', order: 2, delivery: 'embedded' }] },
    });
    expect([viewer.status, viewer.body.error.code]).toEqual([400, 'validation_failed']);
    const nobody = await call<{ error: { code: string } }>('POST', '/v1/envelopes', {
      key,
      json: { ...base, recipients: [{ name: 'An', role: 'signer', order: 1 }] },
    });
    expect([nobody.status, nobody.body.error.code]).toEqual([400, 'validation_failed']);
  });

  it('an en envelope texts its signers in English (SMS carry one language)', async () => {
    const key = inject('devApiKey');
    const phone = uniquePhone();
    const base = envelopeJson({ pdf: fixture('hop-dong-lao-dong.pdf'), signers: [{ name: 'An', email: 'unused@example.vn' }] });
    const created = await call<Envelope>('POST', '/v1/envelopes', {
      key,
      json: { ...base, language: 'en', recipients: [{ name: 'Lê Văn An', phone, role: 'signer', order: 1 }] },
    });
    expect(created.status).toBe(201);
    expect((await call('POST', `/v1/envelopes/${created.body.id}/send`, { key })).status).toBe(200);
    const [sms] = await messagesTo('sms', phone);
    expect(sms?.text).toMatch(/^.* asks you to sign "Hop dong lao dong"\. Open: \S+\/s\/[A-Za-z0-9_-]+$/);
  });
});
