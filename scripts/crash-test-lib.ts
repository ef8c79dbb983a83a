import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { dynamoOutbox } from '../functions/aws/dynamo-outbox.js';
import { dynamoEnvelopeRepository } from '../functions/aws/dynamo-repositories.js';
import { startMoto } from '../functions/local/moto.js';
import { CLAIM_MS } from '../shared/envelope/outbox-worker.js';
import { manySignersEnvelope } from '../test/support/many-signers.js';
import { type RunningServer, startServer } from '../test/support/start-server.js';
import { qpdfCheck, runPdfsig } from '../test/support/validators.js';
import { startWebhookReceiver } from '../test/support/webhook-receiver.js';

/**
 * The crash test (issue 14): signing runs whose service is killed (SIGKILL) at a random moment,
 * restarted against the same AWS endpoint, finished the way a signer and the operator would
 * (the signer retries with the same link; the repair sweep runs), and then checked with outside
 * validators. `npm run crash-test -- --runs 50` (scripts/crash-test.ts) and
 * test/integration/crash-test.test.ts run it.
 */

const REGION = 'ap-southeast-1';
const TABLE = 'kyso';
const COMPLETED_SUBJECT = 'Đã hoàn tất:';

/** mulberry32: a small seeded PRNG, so a run's kill delays can be replayed with its seed. */
export const seededRandom = (seed: number) => {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

export interface CrashOptions {
  readonly runs: number;
  readonly seed: number;
  /** An AWS endpoint to use (its `kyso` table, bucket and keys); default: a moto started here. */
  readonly awsEndpoint?: string;
  /** The admin key stored at that endpoint (needed with awsEndpoint; read from the first start otherwise). */
  readonly adminKey?: string;
  readonly log?: (line: string) => void;
  /** Extra environment for every service start. */
  readonly env?: Record<string, string>;
}

/** Where the kill landed, read from the state it left (the table, the webhook receiver), not guessed from the delay. */
export type KillPhase =
  | 'before any signature'
  | 'between signatures'
  | 'building the completing revision'
  | 'after the completing commit, nothing done'
  | 'during the effects'
  | 'after the effects, webhook in flight'
  | 'after everything';

export interface RunResult {
  readonly run: number;
  readonly envelopeId: string;
  readonly signers: number;
  readonly delayMs: number;
  readonly phase: KillPhase;
  /** What the state showed at the kill: signed count, owed effect kinds ("*" = claimed by the dead worker). */
  readonly atKill: string;
  /** Sign requests cut by the kill, and what their retry answered (200 = landed now, 409 = it had landed). */
  readonly retried: string;
  /** Invariants that failed (empty: all held). */
  readonly broken: readonly string[];
  /** Extra numbers: completion emails per recipient (dev mail / SES), webhook deliveries received. */
  readonly notes: string;
  /** From the kill to the restarted service listening, and to the end of the checks. */
  readonly restartMs: number;
  readonly recoveredMs: number;
}

export interface CrashReport {
  readonly seed: number;
  readonly runs: readonly RunResult[];
  /** The uncrashed run: sign requests all answered after completeMs, nothing owed after settledMs. */
  readonly calibration: { readonly completeMs: number; readonly settledMs: number };
  readonly phases: Readonly<Record<string, number>>;
  readonly failed: number;
}

interface EnvelopeView {
  id: string;
  status: string;
  recipients: { id: string; name: string; email: string; status: string }[];
  documents: { id: string }[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` until it returns something truthy or `ms` pass (then undefined). */
const within = async <T>(ms: number, check: () => Promise<T | undefined | false>, every = 150): Promise<T | undefined> => {
  for (const until = Date.now() + ms; ; await sleep(every)) {
    const v = await check().catch(() => undefined);
    if (v) return v;
    if (Date.now() > until) return undefined;
  }
};

export const runCrashTest = async (options: CrashOptions): Promise<CrashReport> => {
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const random = seededRandom(options.seed);
  const moto = options.awsEndpoint ? undefined : await startMoto();
  const endpoint = options.awsEndpoint ?? (moto?.endpoint as string);
  const hooks = await startWebhookReceiver(() => 200);
  const doc = DynamoDBDocumentClient.from(
    new DynamoDBClient({ endpoint, region: REGION, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } }),
  );
  const envelopes = dynamoEnvelopeRepository({ client: doc, tableName: TABLE });
  const outbox = dynamoOutbox({ client: doc, tableName: TABLE });
  const env = { AWS_ENDPOINT_URL: endpoint, ...(options.adminKey ? { KYSO_ADMIN_KEY: options.adminKey } : {}), ...options.env };
  let server: RunningServer = await startServer(env);
  const adminKey = options.adminKey ?? server.adminKey;

  const http = async <T>(method: string, path: string, key: string | undefined, json?: unknown) => {
    const send = () =>
      fetch(`${server.url}${path}`, {
        method,
        headers: {
          ...(key ? { authorization: `Bearer ${key}` } : {}),
          ...(json !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(json !== undefined ? { body: JSON.stringify(json) } : {}),
      });
    // A kept-alive connection the server closed while pdfsig ran: a GET is safe to send again (a POST is not retried here).
    const r = await send().catch((e) => (method === 'GET' ? send() : Promise.reject(e)));
    const type = r.headers.get('content-type') ?? '';
    const body = type.includes('json') ? await r.json() : type.includes('pdf') ? new Uint8Array(await r.arrayBuffer()) : await r.text();
    return { status: r.status, body: body as T, retryAfter: Number(r.headers.get('retry-after') ?? 0) };
  };
  const tenant = await http<{ tenant: { id: string }; apiKey: string }>('POST', '/admin/tenants', adminKey, { name: 'Công ty Thử Sập' });
  if (tenant.status !== 201) throw new Error(`tenant not created: ${tenant.status} ${JSON.stringify(tenant.body)}`);
  const tenantId = tenant.body.tenant.id;
  const key = tenant.body.apiKey;
  const subscribed = await http('POST', '/v1/webhooks', key, { url: hooks.url, events: ['envelope.completed'] });
  if (subscribed.status !== 201) throw new Error(`webhook not subscribed: ${subscribed.status}`);
  const root = (await http<string>('GET', '/pki/root.pem', undefined)).body;

  /** The signing link mailed to `email` (the invitation leaves through the outbox). */
  const linkOf = async (email: string) => {
    const token = await within(90_000, async () => {
      const mail = await http<{ messages: { to: string; text: string }[] }>('GET', '/dev/mail', undefined);
      const last = mail.body.messages.filter((m) => m.to === email).at(-1);
      return last && /\/s\/([A-Za-z0-9_-]+)/.exec(last.text)?.[1];
    });
    if (!token) throw new Error(`no invitation mailed to ${email}`);
    return token;
  };

  /** A signer as a person with a browser: posts once; on 503 waits Retry-After and tries again (bounded). */
  const sign = async (token: string, name: string): Promise<number> => {
    for (let attempt = 1; ; attempt++) {
      const r = await http('POST', `/v1/sign/${token}`, undefined, { signature: { type: 'typed', value: name } });
      if (r.status !== 503 || attempt === 10) return r.status;
      await sleep(Math.min(2000, (r.retryAfter || 1) * 1000));
    }
  };

  /** A sent envelope of n signers of one order (all sign at once), with their links. */
  const prepare = async (run: number, n: number) => {
    const stamp = `${run}.${Date.now().toString(36)}`;
    const body = manySignersEnvelope(n, (i) => `ky.${stamp}.${i}@crash.example.vn`);
    const created = await http<EnvelopeView>('POST', '/v1/envelopes', key, { ...body, title: `Hợp đồng thử sập #${run}` });
    if (created.status !== 201) throw new Error(`create: ${created.status} ${JSON.stringify(created.body)}`);
    const sent = await http('POST', `/v1/envelopes/${created.body.id}/send`, key);
    if (sent.status !== 200) throw new Error(`send: ${sent.status}`);
    const signers = await Promise.all(body.recipients.map(async (r) => ({ name: r.name, email: r.email, token: await linkOf(r.email) })));
    return { id: created.body.id, signers };
  };

  /** Reads what the kill left, straight from the table and the receiver (the service is dead). */
  const stateAtKill = async (
    envelopeId: string,
    n: number,
  ): Promise<{ phase: KillPhase; atKill: string; inSendWindow?: ReadonlySet<string> }> => {
    const e = await envelopes.get(tenantId, envelopeId);
    const signed = e?.recipients.filter((r) => r.status === 'signed').length ?? 0;
    if (e?.status !== 'completed') {
      const lease = await doc.send(
        new GetCommand({ TableName: TABLE, Key: { pk: `TENANT#${tenantId}#ENV#${envelopeId}`, sk: 'LEASE#REVISION' } }),
      );
      const building = !!lease.Item;
      const phase: KillPhase =
        signed === n - 1 && building ? 'building the completing revision' : signed === 0 ? 'before any signature' : 'between signatures';
      return { phase, atKill: `${signed}/${n} signed${building ? ', a revision being built' : ''}` };
    }
    const now = Date.now();
    const owed = (await outbox.forEnvelope(tenantId, envelopeId)).filter((i) => e.commits?.includes(i.commitId));
    const kinds = owed.map((i) => `${i.effect.kind}${Date.parse(i.notBefore) > now ? '*' : ''}`);
    const summary = [...new Set(kinds)].map((k) => `${k}×${kinds.filter((x) => x === k).length}`).join(' ');
    if (owed.length > 0) {
      // Completion emails SES had already taken whose item the dead worker had not yet marked sent
      // (markSent): SES's Send event must settle them (shared/messaging/owed-email.ts), so they are
      // not sent again after the restart. Noted, to show the window was hit; a second email breaks the run.
      const ses = await sesSent(endpoint);
      const inSendWindow = new Set(
        owed
          .filter((i) => i.effect.kind === 'link-message' && i.effect.purpose === 'completed' && !i.sentAt)
          .map((i) => e.recipients.find((r) => r.id === (i.effect as { recipientId: string }).recipientId)?.email ?? '')
          .filter((email) => email && ses.some((m) => m.to.includes(email) && m.subject.startsWith(COMPLETED_SUBJECT))),
      );
      const completionOwed = owed.filter((i) => i.version === e.version).length;
      const untouched = completionOwed === owed.length && owed.every((i) => i.attempts === 0 && Date.parse(i.notBefore) <= now);
      const phase: KillPhase =
        untouched && owed.some((i) => i.effect.kind === 'head-signature')
          ? 'after the completing commit, nothing done'
          : 'during the effects';
      return { phase, atKill: `completed; owed ${summary}`, inSendWindow };
    }
    const hooked = completedDeliveries(envelopeId).size > 0;
    return { phase: hooked ? 'after everything' : 'after the effects, webhook in flight', atKill: 'completed; nothing owed' };
  };

  const completedDeliveries = (envelopeId: string) =>
    new Set(
      hooks
        .accepted()
        .filter(
          (h) =>
            h.headers['kyso-event'] === 'envelope.completed' &&
            (JSON.parse(h.body) as { data: { envelopeId?: string } }).data.envelopeId === envelopeId,
        )
        .map((h) => String(h.headers['kyso-delivery'])),
    );

  /** Every invariant of issue 14, judged from outside: pdfsig/qpdf, the audit verify route, the mail record, the webhook receiver. */
  const check = async (
    envelopeId: string,
    signers: readonly { name: string; email: string }[],
    inSendWindow: ReadonlySet<string> | undefined,
  ) => {
    const broken: string[] = [];
    const e = (await http<EnvelopeView>('GET', `/v1/envelopes/${envelopeId}`, key)).body;
    if (e.status !== 'completed') broken.push(`status ${e.status}`);
    if (!e.recipients.every((r) => r.status === 'signed')) broken.push(`recipients ${e.recipients.map((r) => r.status).join(',')}`);
    // Each signer exactly one valid, trusted signature; one document timestamp and a DSS (the B-LTA revision) once.
    const pdf = (await http<Uint8Array>('GET', `/v1/envelopes/${envelopeId}/documents/${e.documents[0]?.id}`, key)).body;
    const sig = runPdfsig(pdf, [root]);
    for (const s of signers) {
      const own = sig.signatures.filter((x) => x.signerName === s.name);
      if (own.length !== 1 || !own[0]?.valid || !own[0]?.trusted)
        broken.push(`${s.name}: ${own.length} signature(s), valid ${own.map((x) => x.valid)}`);
    }
    const cades = sig.signatures.filter((x) => x.subFilter === 'ETSI.CAdES.detached');
    if (cades.length !== signers.length + 1 || !cades.every((x) => x.valid))
      broken.push(`pdfsig: ${cades.length} CAdES signatures (want ${signers.length + 1})`);
    const timestamps = sig.signatures.filter((x) => x.subFilter !== 'ETSI.CAdES.detached');
    const dss =
      Buffer.from(pdf)
        .toString('latin1')
        .match(/\/DSS \d+ 0 R/g) ?? [];
    if (timestamps.length !== 1 || dss.length === 0)
      broken.push(`B-LTA: ${timestamps.length} document timestamp(s), ${dss.length} DSS reference(s)`);
    if (!qpdfCheck(pdf).ok) broken.push('qpdf --check failed');
    // The audit trail: each event of the flow once, the chain valid and its head signed once, by the platform key.
    const audit = (await http<{ events: { action: string }[] }>('GET', `/v1/envelopes/${envelopeId}/audit`, key)).body.events;
    const count = (action: string) => audit.filter((a) => a.action === action).length;
    const counts = [count('recipient.signed'), count('envelope.completed'), count('audit.head_signed')];
    if (counts.join() !== [signers.length, 1, 1].join()) broken.push(`audit signed/completed/head_signed = ${counts.join('/')}`);
    const verified = (
      await http<{ ok: boolean; headSignatures: { signatureValid: boolean; platformKey: boolean }[] }>(
        'GET',
        `/v1/envelopes/${envelopeId}/audit/verify`,
        key,
      )
    ).body;
    if (!verified.ok || verified.headSignatures.length !== 1 || !verified.headSignatures.every((h) => h.signatureValid && h.platformKey)) {
      broken.push(`audit verify: ${JSON.stringify(verified).slice(0, 200)}`);
    }
    // Completion messages: once per recipient, as recorded by the service (/dev/mail) and by SES itself (moto's own record).
    const mail = (await http<{ messages: { to: string; subject: string }[] }>('GET', '/dev/mail', undefined)).body.messages;
    const ses = await sesSent(endpoint);
    const perRecipient = signers.map((s) => {
      const dev = mail.filter((m) => m.to === s.email && m.subject.startsWith(COMPLETED_SUBJECT)).length;
      const sent = ses.filter((m) => m.to.includes(s.email) && m.subject.startsWith(COMPLETED_SUBJECT)).length;
      return { dev, sent };
    });
    const settled: string[] = [];
    for (const [i, c] of perRecipient.entries()) {
      if (c.sent !== 1 || c.dev !== 1) broken.push(`completion email to signer ${i + 1}: SES ${c.sent}, dev mail ${c.dev}`);
      else if (inSendWindow?.has(signers[i]?.email ?? '')) settled.push(`signer ${i + 1}`);
    }
    // envelope.completed: exactly one delivery id at the endpoint (a redelivery of the same id is allowed, and counted).
    const received = hooks
      .accepted()
      .filter(
        (h) =>
          h.headers['kyso-event'] === 'envelope.completed' &&
          (JSON.parse(h.body) as { data: { envelopeId?: string } }).data.envelopeId === envelopeId,
      );
    const ids = new Set(received.map((h) => String(h.headers['kyso-delivery'])));
    if (ids.size !== 1) broken.push(`envelope.completed: ${ids.size} delivery ids`);
    const notes = `mail ${perRecipient.map((c) => c.sent).join('/')}; hook ${received.length}×${ids.size}id${
      settled.length
        ? `; completion email to ${settled.join(', ')} taken by SES before the kill, unrecorded: settled by its Send event (once)`
        : ''
    }`;
    return { broken, notes };
  };

  /** One signing run without a kill: how long signing and everything after it take here (for the kill windows). */
  const calibrate = async () => {
    const { id, signers } = await prepare(0, 3);
    const started = Date.now();
    const statuses = await Promise.all(signers.map((s) => sign(s.token, s.name)));
    const completeMs = Date.now() - started;
    if (!statuses.every((s) => s === 200)) throw new Error(`calibration: sign answered ${statuses.join(',')}`);
    await within(60_000, async () => (await http<{ owed: number }>('GET', `/dev/outbox?envelope=${id}`, undefined)).body.owed === 0, 50);
    const settledMs = Date.now() - started;
    await within(30_000, async () => completedDeliveries(id).size > 0, 100);
    const { broken } = await check(id, signers, undefined);
    if (broken.length) throw new Error(`calibration run broke invariants without a kill: ${broken.join('; ')}`);
    return { completeMs, settledMs };
  };

  const results: RunResult[] = [];
  try {
    const calibration = await calibrate();
    log(
      `crash test: seed ${options.seed}, ${options.runs} runs; uncrashed 3 signers: all signed after ${calibration.completeMs} ms, nothing owed after ${calibration.settledMs} ms`,
    );
    log(
      `${'run'.padStart(3)} n ${'delay'.padStart(6)}  ${'phase at the kill'.padEnd(42)} ${'retried'.padEnd(12)} ${'back/done s'.padEnd(11)} result  (emails per signer at SES; webhook receipts×ids)  state at the kill`,
    );
    for (let run = 1; run <= options.runs; run++) {
      const n = 2 + Math.floor(random() * 2);
      // Half the kills anywhere from the first request to well after everything settled; half in the
      // narrow part around the completing commit and the worker's effects (else few would land there).
      const wide = random() < 0.5;
      const from = wide ? 0 : calibration.completeMs * 0.6;
      const to = wide ? calibration.settledMs * 1.3 : calibration.settledMs;
      const delayMs = Math.round(from + random() * (to - from));
      const { id, signers } = await prepare(run, n);
      const outcomes: (number | 'killed')[] = Array.from({ length: n }, () => 'killed');
      const signing = Promise.all(
        signers.map((s, i) =>
          sign(s.token, s.name).then(
            (status) => {
              outcomes[i] = status;
            },
            () => undefined,
          ),
        ),
      );
      await sleep(delayMs);
      await server.kill();
      await signing;
      const { phase, atKill, inSendWindow } = await stateAtKill(id, n);
      const killedAt = Date.now();
      server = await startServer(env);
      const restartMs = Date.now() - killedAt;
      // The signers whose request was cut try again with the same link: it lands now, or it had landed (409 already_signed).
      const retries = await Promise.all(
        signers.map((s, i) => (outcomes[i] === 'killed' ? sign(s.token, s.name) : Promise.resolve(undefined))),
      );
      const retried = retries.map((r) => r ?? '-').join(',');
      const unexpected = retries.filter((r) => r !== undefined && r !== 200 && r !== 409);
      // The operator's repair sweep, as of when a dead worker's claims have run out (they last CLAIM_MS).
      const asOf = new Date(Math.max(Date.now(), killedAt + CLAIM_MS + 1000)).toISOString();
      await http('POST', `/dev/scheduler/outbox?now=${asOf}`, undefined);
      const drained = await within(
        60_000,
        async () => (await http<{ owed: number }>('GET', `/dev/outbox?envelope=${id}`, undefined)).body.owed === 0,
      );
      // A webhook job the dead worker had taken comes back after the queue's visibility timeout (60 s).
      await within(90_000, async () => completedDeliveries(id).size > 0, 250);
      const recoveredMs = Date.now() - killedAt;
      const { broken, notes } = await check(id, signers, inSendWindow);
      const all = [...(drained ? [] : ['outbox not drained']), ...unexpected.map((s) => `a retry answered ${s}`), ...broken];
      const result: RunResult = {
        run,
        envelopeId: id,
        signers: n,
        delayMs,
        phase,
        atKill,
        retried,
        broken: all,
        notes,
        restartMs,
        recoveredMs,
      };
      results.push(result);
      const seconds = `${(restartMs / 1000).toFixed(1)}/${(recoveredMs / 1000).toFixed(1)}`;
      log(
        `${String(run).padStart(3)} ${n} ${`${delayMs}ms`.padStart(6)}  ${phase.padEnd(42)} ${retried.padEnd(12)} ${seconds.padEnd(11)} ${all.length ? `BROKEN: ${all.join('; ')}` : 'ok'}  (${notes})  ${atKill}`,
      );
    }
    const phases: Record<string, number> = {};
    for (const r of results) phases[r.phase] = (phases[r.phase] ?? 0) + 1;
    const failed = results.filter((r) => r.broken.length > 0).length;
    log(
      `kills by phase: ${Object.entries(phases)
        .map(([p, c]) => `${p} ${c}`)
        .join(', ')}`,
    );
    log(`${results.length - failed} of ${results.length} runs kept every invariant (seed ${options.seed})`);
    return { seed: options.seed, runs: results, calibration, phases, failed };
  } finally {
    await server.stop().catch(() => undefined);
    await hooks.close();
    moto?.stop();
  }
};

/** What SES itself says it sent (moto's model data): recipients and subject of every message. */
export const sesSent = async (endpoint: string): Promise<{ to: string[]; subject: string }[]> => {
  const r = await fetch(`${endpoint}/moto-api/data.json`);
  const data = (await r.json()) as { ses?: { Message?: { destinations?: { ToAddresses?: string[] }; subject?: string }[] } };
  return (data.ses?.Message ?? []).map((m) => ({ to: m.destinations?.ToAddresses ?? [], subject: m.subject ?? '' }));
};
