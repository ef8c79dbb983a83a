import { inject } from 'vitest';
import { createKysoClient, type KysoClient } from '../../clients/typescript/src/index.js';
import { signatureFields } from './many-signers.js';

/**
 * A tiny HTTP client for the running service (integration tests talk HTTP only), over the
 * typed client package (clients/typescript), so its transport runs on every test: every POST
 * carries a fresh Idempotency-Key (unless the test sets its own) and network errors are
 * retried. Retries on 429/5xx are off here: tests assert those statuses as the server sent them
 * (test/unit/client/transport.test.ts covers them), except 503 when faults are injected (below).
 */
export const baseUrl = () => inject('baseUrl');

/**
 * The suite may run against a server that fails AWS calls on purpose (KYSO_FAULT_RATE, issue 14).
 * A call whose every SDK attempt met a fault is answered 503 `service_unavailable` with
 * Retry-After, which a client retries (the client package does by default): in that mode `call`
 * retries that answer alone, twice, with the same Idempotency-Key. Other 503s (an identity
 * provider's outage, a timestamp authority's) are what the tests assert, as the server sent them.
 */
export const FAULTS_INJECTED = Boolean(process.env.KYSO_FAULT_RATE);

let kyso: KysoClient | undefined;
/** The client package, pointed at the test server. */
export const client = (): KysoClient => {
  kyso ??= createKysoClient({ baseUrl: baseUrl(), retry: { statuses: [], maxAttempts: 3 } });
  return kyso;
};

export { fixturePdf as fixture, PDF_FIXTURES as FIXTURES } from '../fixtures/fixtures.js';
export const VALID_FIXTURES = ['hop-dong-dien.pdf', 'hop-dong-lao-dong.pdf', 'hop-dong-lao-dong.objstm.pdf'] as const;

export interface Res<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

export const call = async <T = Record<string, unknown>>(
  method: string,
  path: string,
  options: { key?: string; json?: unknown; body?: BodyInit; headers?: Record<string, string> } = {},
): Promise<Res<T>> => {
  // The audit trail is completed by the worker (events appended after a message went out, the
  // signed head): a read of it first waits until nothing is owed, as a client polling would.
  const auditOf = method === 'GET' ? /^\/v1\/envelopes\/([^/]+)\/audit(\/verify)?$/.exec(path)?.[1] : undefined;
  if (auditOf) await outboxDrained({ envelopeId: auditOf });
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  if (options.key) headers.authorization = `Bearer ${options.key}`;
  let body = options.body;
  if (options.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.json);
  }
  if (FAULTS_INJECTED && method === 'POST' && !Object.keys(headers).some((h) => h.toLowerCase() === 'idempotency-key')) {
    headers['idempotency-key'] = crypto.randomUUID();
  }
  for (let attempt = 1; ; attempt++) {
    const r = await client().fetch(path, { method, headers, ...(body !== undefined ? { body } : {}) });
    const type = r.headers.get('content-type') ?? '';
    const parsed = type.includes('json') ? await r.json() : type.includes('pdf') ? new Uint8Array(await r.arrayBuffer()) : await r.text();
    const unavailable = r.status === 503 && (parsed as { error?: { code?: string } })?.error?.code === 'service_unavailable';
    if (!(FAULTS_INJECTED && unavailable && attempt < 3)) return { status: r.status, body: parsed as T, headers: r.headers };
    await new Promise((res) => setTimeout(res, 500 * attempt));
  }
};

export const createTenant = async (name: string): Promise<{ tenantId: string; apiKey: string }> => {
  const r = await call<{ tenant: { id: string }; apiKey: string }>('POST', '/admin/tenants', { key: inject('adminKey'), json: { name } });
  if (r.status !== 201) throw new Error(`tenant creation failed: ${r.status} ${JSON.stringify(r.body)}`);
  return { tenantId: r.body.tenant.id, apiKey: r.body.apiKey };
};

export interface Mail {
  /** The MessageId SES returned (what its events name). */
  messageId?: string;
  to: string;
  subject: string;
  text: string;
  html: string;
}

/**
 * Waits until every committed state change has done what it owes (emails, webhook events,
 * the seal's turn, the audit head leave the request path through the outbox). Bounded: after
 * `timeoutMs` it returns what is still owed, for the caller's assertion to report.
 * `envelopeId` narrows the wait to one envelope: a test asserting that nothing is owed must
 * not see another test's effect that is failing on purpose (in backoff) in a parallel run.
 * Unscoped, envelopes with an effect that has failed on purpose (in backoff, and whatever waits
 * behind it) are not waited for: a test that fails a webhook or a registration on purpose would
 * otherwise make every later wait in the run last its whole timeout. An injected fault is waited for.
 */
export const outboxDrained = (opts: { envelopeId?: string; timeoutMs?: number } = {}): Promise<{ owed: number; items: OwedItem[] }> => {
  const scope = opts.envelopeId ?? '';
  // Concurrent waiters on one scope share one poll: ten of them polling every 50 ms each (eight
  // DynamoDB queries per poll) slowed moto so much that the worker itself fell behind.
  const shared = draining.get(scope);
  if (shared) return shared;
  const poll = (async () => {
    const until = Date.now() + (opts.timeoutMs ?? 30_000);
    const path = scope ? `/dev/outbox?envelope=${encodeURIComponent(scope)}` : '/dev/outbox';
    for (let pause = 50; ; pause = Math.min(250, pause * 1.5)) {
      const r = await call<{ owed: number; items: OwedItem[] }>('GET', path);
      const failing = new Set(r.body.items.filter(failingOnPurpose).map((i) => i.envelopeId));
      const items = scope ? r.body.items : r.body.items.filter((i) => !failing.has(i.envelopeId));
      if (items.length === 0 || Date.now() > until) return { owed: items.length, items };
      await new Promise((res) => setTimeout(res, pause));
    }
  })().finally(() => draining.delete(scope));
  draining.set(scope, poll);
  return poll;
};
const draining = new Map<string, Promise<{ owed: number; items: OwedItem[] }>>();
/**
 * An item that failed for a reason a test set up (a webhook endpoint that answers 500, a labour
 * platform that is down), not one that is retried within seconds: a fault the suite injects
 * (KYSO_FAULT_RATE) or an email waiting for SES's Send event of an attempt such a fault cut.
 */
const failingOnPurpose = (i: OwedItem) => i.attempts > 0 && !/injected fault|^AwaitingSendEvent/.test(i.lastError ?? '');
interface OwedItem {
  id: string;
  envelopeId: string;
  kind: string;
  attempts: number;
  lastError?: string;
}

export const mailsTo = async (email: string): Promise<Mail[]> => {
  await outboxDrained();
  const r = await call<{ messages: Mail[] }>('GET', `/dev/mail?to=${encodeURIComponent(email)}`);
  return r.body.messages.filter((m) => m.to === email);
};

/** The signing token from the latest email to `email`. */
export const latestLinkToken = async (email: string): Promise<string> => {
  // The worker may still be sending when nothing is owed any more (claimed items are in flight): look again, bounded.
  for (const until = Date.now() + 20_000; ; await new Promise((r) => setTimeout(r, 100))) {
    const mails = await mailsTo(email);
    const last = mails[mails.length - 1];
    const token = last && /\/s\/([A-Za-z0-9_-]+)/.exec(last.text)?.[1];
    if (token) return token;
    if (Date.now() > until) throw new Error(`no signing link mailed to ${email}`);
  }
};

export const envelopeJson = (opts: {
  title?: string;
  pdf: Uint8Array;
  signers: { name: string; email: string; order?: number }[];
  extraFields?: Record<string, unknown>[];
}) => ({
  title: opts.title ?? 'Hợp đồng lao động',
  documents: [{ name: 'hop-dong.pdf', contentBase64: Buffer.from(opts.pdf).toString('base64') }],
  recipients: opts.signers.map((s, i) => ({ name: s.name, email: s.email, role: 'signer', order: s.order ?? i + 1 })),
  fields: [
    ...signatureFields(opts.signers.length, (i) => ({ x: 60 + (i % 2) * 260, y: 620 + Math.floor(i / 2) * 70, width: 200, height: 60 })),
    ...(opts.extraFields ?? []),
  ],
});

export const uniqueEmail = (prefix: string) => `${prefix}.${Math.random().toString(36).slice(2, 8)}@example.vn`;
