import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { dynamoOutbox } from '../../functions/aws/dynamo-outbox.js';
import { startMoto } from '../../functions/local/moto.js';
import { runCrashTest, sesSent } from '../../scripts/crash-test-lib.js';
import { CLAIM_MS } from '../../shared/envelope/outbox-worker.js';
import { manySignersEnvelope } from '../support/many-signers.js';
import { type RunningServer, serverApi, startServer } from '../support/start-server.js';
import { waitFor } from '../support/webhook-receiver.js';

/**
 * The crash test of issue 14, small: a few signing runs whose service is killed (SIGKILL) at a
 * random moment, restarted on the same AWS endpoint (its own moto, so no other worker finishes
 * what the dead one owed), the cut sign requests retried, the repair sweep run; then every
 * invariant checked from outside (pdfsig, qpdf, the audit verify route, SES's own record, the
 * webhook receiver's delivery ids). `npm run crash-test -- --runs 50` is the full one.
 */
describe('SIGKILL during signing (issue 14)', () => {
  it('loses nothing and does nothing twice: signatures, B-LTA revision, signed head, completion emails, envelope.completed', async () => {
    const lines: string[] = [];
    const report = await runCrashTest({ runs: 3, seed: 20261202, log: (l) => lines.push(l) });
    process.stdout.write(`${lines.join('\n')}\n`);
    expect(report.runs).toHaveLength(3);
    expect(
      report.runs.filter((r) => r.broken.length > 0),
      lines.join('\n'),
    ).toEqual([]);
    // Each run really was killed and restarted, and its state at the kill was read.
    for (const r of report.runs) {
      expect(r.restartMs).toBeGreaterThan(0);
      expect(r.atKill).not.toBe('');
    }
  }, 600_000);

  // after-completion-email: right after sending a completion email and recording its delivery (an email is not
  // marked sent on its item while all goes well: the hand-over mark and SES's Send event settle a rerun);
  // completion-email-taken: right after SES took it, before any record of ours (its Send event settles it).
  it.each(['after-completion-email', 'completion-email-taken'] as const)(
    'a worker killed at %s does not send the completion email again when its item is retried',
    async (point) => {
      const moto = await startMoto();
      const email = `mot.lan.${Date.now().toString(36)}@crash.example.vn`;
      let dying: RunningServer | undefined;
      try {
        // Dies right after the completion email went out, before retiring its outbox item.
        dying = await startServer({ AWS_ENDPOINT_URL: moto.endpoint, KYSO_DEV_CRASH_POINT: point });
        const api = serverApi(dying);
        const created = await api<{ id: string }>(
          'POST',
          '/v1/envelopes',
          manySignersEnvelope(1, () => email),
        );
        expect(created.status).toBe(201);
        const id = created.body.id;
        expect((await api('POST', `/v1/envelopes/${id}/send`)).status).toBe(200);
        const mail = await api<{ messages: { to: string; text: string }[] }>('GET', '/dev/mail');
        const token = /\/s\/([A-Za-z0-9_-]+)/.exec(mail.body.messages.find((m) => m.to === email)?.text ?? '')?.[1];
        await fetch(`${dying.url}/v1/sign/${token}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ signature: { type: 'typed', value: 'Người ký số 1' } }),
        }).catch(() => undefined); // answered, or cut by the crash
        const dead = dying;
        await waitFor(
          () =>
            fetch(`${dead.url}/health`).then(
              () => false,
              () => true,
            ),
          60_000,
        );
        const completed = async () =>
          (await sesSent(moto.endpoint)).filter((m) => m.to.includes(email) && m.subject.startsWith('Đã hoàn tất')).length;
        expect(await completed()).toBe(1);
        const doc = DynamoDBDocumentClient.from(
          new DynamoDBClient({
            endpoint: moto.endpoint,
            region: 'ap-southeast-1',
            credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
          }),
        );
        const outbox = dynamoOutbox({ client: doc, tableName: 'kyso' });
        const owed = (await outbox.forEnvelope('dev', id)).filter((i) => i.effect.kind === 'link-message');
        expect(owed).toHaveLength(1);
        // On the item: only the hand-over mark, and SES's Send event on its way (or applied already).
        expect(owed[0]?.sentAt).toBeUndefined();
        expect(owed[0]?.sendingAt).toBeDefined();

        // Restarted; the sweep runs once the dead worker's claim has run out: the item is finished, the email not sent again.
        const back = await startServer({ AWS_ENDPOINT_URL: moto.endpoint });
        try {
          const again = serverApi(back);
          const killedAt = Date.now();
          expect((await again('POST', `/dev/scheduler/outbox?now=${new Date(killedAt + CLAIM_MS + 1000).toISOString()}`)).status).toBe(200);
          await waitFor(async () => (await again<{ owed: number }>('GET', `/dev/outbox?envelope=${id}`)).body.owed === 0, 30_000);
          expect(await completed()).toBe(1);
          const devMail = await again<{ messages: { to: string; subject: string }[] }>('GET', '/dev/mail');
          expect(devMail.body.messages.filter((m) => m.to === email && m.subject.startsWith('Đã hoàn tất'))).toHaveLength(1);
          const verified = await again<{ ok: boolean; headSignatures: unknown[] }>('GET', `/v1/envelopes/${id}/audit/verify`);
          expect(verified.body).toMatchObject({ ok: true, headSignatures: [expect.anything()] });
        } finally {
          await back.stop();
        }
      } finally {
        await dying?.stop();
        moto.stop();
      }
    },
    300_000,
  );
});
