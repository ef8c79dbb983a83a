import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { envelopeJson, fixture, uniqueEmail } from '../support/api.js';
import { type RunningServer, startServer } from '../support/start-server.js';
import { runPdfsig } from '../support/validators.js';
import { startWebhookReceiver, waitFor } from '../support/webhook-receiver.js';

/**
 * The send → sign → complete → webhooks slice of the suite against a server whose AWS calls fail
 * 5% of the time (KYSO_FAULT_RATE=0.05: throttling, timeouts, 5xx on any attempt of any call,
 * through the SDK middleware stack). The SDK's retries, our 503 + Retry-After, the client's
 * retries with the same Idempotency-Key and the outbox's retries must together lose nothing and
 * do nothing twice: every signature lands once and validates, every envelope completes with
 * one `envelope.completed` webhook and a valid, signed audit chain, and no answer is a 500.
 */
const ENVELOPES = 3;
const SIGNERS = 2;

describe('5% injected AWS faults', () => {
  let server: RunningServer;
  let hooks: Awaited<ReturnType<typeof startWebhookReceiver>>;
  /** Every answer the client saw, for the "no 500, every error has a code" assertion. */
  const answers: { op: string; status: number; code?: string }[] = [];

  /** A client as integrators should write one: retry 429/502/503/504 after Retry-After (capped here for speed), same Idempotency-Key. */
  const api = async <T = Record<string, unknown>>(method: string, path: string, json?: unknown): Promise<{ status: number; body: T }> => {
    const key = randomUUID();
    for (let attempt = 1; ; attempt++) {
      const r = await fetch(`${server.url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${server.devApiKey}`,
          ...(method === 'POST' ? { 'idempotency-key': key } : {}),
          ...(json !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(json !== undefined ? { body: JSON.stringify(json) } : {}),
      });
      const type = r.headers.get('content-type') ?? '';
      const body = type.includes('json') ? await r.json() : new Uint8Array(await r.arrayBuffer());
      const code = (body as { error?: { code?: string } }).error?.code;
      answers.push({
        op: `${method} ${path.replace(/\/v1\/sign\/[^/]+/, '/v1/sign/:token')}`,
        status: r.status,
        ...(code ? { code } : {}),
      });
      if ([429, 502, 503, 504].includes(r.status) && attempt < 8) {
        await new Promise((res) => setTimeout(res, Math.min(400, Number(r.headers.get('retry-after') ?? 1) * 1000)));
        continue;
      }
      return { status: r.status, body: body as T };
    }
  };

  const owedNothing = () =>
    waitFor(async () => (await api<{ owed?: number }>('GET', '/dev/outbox')).body.owed === 0, 60_000).then(() => undefined);

  const linkFor = (email: string) =>
    waitFor(async () => {
      const mail = await api<{ messages?: { to: string; text: string }[] }>('GET', `/dev/mail?to=${encodeURIComponent(email)}`);
      const last = (mail.body.messages ?? []).filter((m) => m.to === email).at(-1);
      return last && /\/s\/([A-Za-z0-9_-]+)/.exec(last.text)?.[1];
    }, 60_000);

  beforeAll(async () => {
    hooks = await startWebhookReceiver(() => 200);
    server = await startServer({ AWS_ENDPOINT_URL: inject('awsEndpoint'), KYSO_FAULT_RATE: '0.05' });
    const hook = await api('POST', '/v1/webhooks', { url: hooks.url, events: ['recipient.signed', 'envelope.completed'] });
    expect(hook.status, JSON.stringify(hook.body)).toBe(201);
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    await hooks?.close();
  });

  it('sends, signs and completes every envelope exactly once, with its webhooks and a valid audit chain', async () => {
    const started = Date.now();
    const envelopes: { id: string; emails: string[] }[] = [];
    for (let e = 0; e < ENVELOPES; e++) {
      const signers = Array.from({ length: SIGNERS }, (_, i) => ({ name: `Người ký ${i + 1}`, email: uniqueEmail(`fault${e}-${i}`) }));
      const created = await api<{ id: string }>('POST', '/v1/envelopes', envelopeJson({ pdf: fixture('hop-dong-dien.pdf'), signers }));
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      expect((await api('POST', `/v1/envelopes/${created.body.id}/send`)).status).toBe(200);
      envelopes.push({ id: created.body.id, emails: signers.map((s) => s.email) });
    }
    for (const [i] of Array.from({ length: SIGNERS }).entries()) {
      for (const envelope of envelopes) {
        const token = await linkFor(envelope.emails[i] as string);
        const signed = await api('POST', `/v1/sign/${token}`, { signature: { type: 'typed', value: `Người ký ${i + 1}` } });
        expect(signed.status, JSON.stringify(signed.body)).toBe(200);
      }
    }
    await owedNothing();

    const root = new TextDecoder().decode((await api<Uint8Array>('GET', '/pki/root.pem')).body);
    for (const envelope of envelopes) {
      const final = await api<{ status: string; recipients: { id: string; status: string }[]; documents: { id: string }[] }>(
        'GET',
        `/v1/envelopes/${envelope.id}`,
      );
      expect(final.body.status).toBe('completed');
      expect(final.body.recipients.map((r) => r.status)).toEqual(['signed', 'signed']);
      // No lost and no extra signature: certification, one per signer, the document timestamp — all valid.
      const pdf = (await api<Uint8Array>('GET', `/v1/envelopes/${envelope.id}/documents/${final.body.documents[0]?.id}`)).body;
      const sig = runPdfsig(pdf, [root]);
      expect(
        sig.signatures.map((s) => s.subFilter),
        sig.output,
      ).toEqual(['ETSI.CAdES.detached', 'ETSI.CAdES.detached', 'ETSI.CAdES.detached', 'unknown']);
      expect(sig.signatures.slice(0, 3).every((s) => s.valid)).toBe(true);
      // No effect twice: each audit event of the flow once, the chain valid and its head signed.
      const audit = await api<{ events: { action: string }[] }>('GET', `/v1/envelopes/${envelope.id}/audit`);
      const count = (action: string) => audit.body.events.filter((ev) => ev.action === action).length;
      expect([count('recipient.signed'), count('envelope.completed'), count('audit.head_signed')]).toEqual([SIGNERS, 1, 1]);
      const verified = await api<{ ok: boolean; problems: unknown[]; headSignatures: { signatureValid: boolean }[] }>(
        'GET',
        `/v1/envelopes/${envelope.id}/audit/verify`,
      );
      expect(verified.body, JSON.stringify(verified.body)).toMatchObject({
        ok: true,
        problems: [],
        headSignatures: [{ signatureValid: true }],
      });
    }

    // Webhooks: per envelope one envelope.completed and one recipient.signed per signer, by delivery id.
    await waitFor(() => new Set(hooks.accepted().map((h) => h.headers['kyso-delivery'])).size >= ENVELOPES * (SIGNERS + 1), 60_000);
    for (const envelope of envelopes) {
      const deliveries = (type: string) =>
        new Set(
          hooks
            .accepted()
            .filter(
              (h) =>
                h.headers['kyso-event'] === type &&
                (JSON.parse(h.body) as { data: { envelopeId: string } }).data.envelopeId === envelope.id,
            )
            .map((h) => h.headers['kyso-delivery']),
        ).size;
      expect([deliveries('recipient.signed'), deliveries('envelope.completed')]).toEqual([SIGNERS, 1]);
    }

    // Faults were injected, and still: no 500, and every error answered with a code.
    const faults = server
      .output()
      .split('\n')
      .filter((l) => l.includes('"fault injected"')).length;
    // Injected per attempt at 5%: against the operations the server made (GET /dev/aws-calls, before the SDK's retries),
    // about 5 per 100. The bounds sit far in the binomial's tails for the few hundred calls this run makes.
    const calls = Object.values((await api<{ calls: Record<string, number> }>('GET', '/dev/aws-calls')).body.calls).reduce(
      (a, b) => a + b,
      0,
    );
    expect(faults).toBeGreaterThanOrEqual(5);
    expect(faults / calls).toBeGreaterThan(0.015);
    expect(faults / calls).toBeLessThan(0.1);
    expect(answers.filter((a) => a.status >= 500 && a.code !== 'service_unavailable')).toEqual([]);
    expect(answers.filter((a) => a.status >= 400 && !a.code)).toEqual([]);
    expect(server.output()).not.toMatch(/"level":"error"/);
    const retried = answers.filter((a) => a.status === 503).length;
    const redelivered = hooks.accepted().length - new Set(hooks.accepted().map((h) => h.headers['kyso-delivery'])).size;
    process.stdout.write(
      `fault injection: ${faults} faults injected in ${calls} AWS calls, ${answers.length} requests, ${retried} answered 503 and retried, ${redelivered} webhook redeliveries, ${Date.now() - started} ms\n`,
    );
  });
});
