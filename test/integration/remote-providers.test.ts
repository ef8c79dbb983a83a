import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { fixture, uniqueEmail } from '../support/api.js';
import { type CscTestServer, startCscTestServer } from '../support/csc-test-server.js';
import { type RunningServer, serverApi, startServer } from '../support/start-server.js';
import { runPdfsig } from '../support/validators.js';

/**
 * Issue 11 part 2, any licensed CA at the signer's choice: two CSC test servers at once, each
 * with its own test root — one the deployment's provider (KYSO_REMOTE_SIGNING_PROVIDERS), one the
 * tenant's own (POST /v1/remote-signing/providers, secret sealed with KMS in moto). Two signers of
 * one envelope sign through different CAs; the first CA being down does not stop the second;
 * unknown user, refusal and timeout are clean 4xx answers, each in the audit trail.
 */
const SESSION_TTL_S = 5;

type Json = Record<string, unknown> & { error?: { code: string; message: string } };

describe('remote signing through the CA the signer chose (two CSC servers)', () => {
  let server: RunningServer;
  let caOne: CscTestServer;
  let caTwo: CscTestServer;
  let keyA = '';
  let keyB = '';
  let tenantA = '';
  let caTwoId = '';
  let envelopeId = '';
  const lan = { name: 'Lê Thị Thu Lan', email: uniqueEmail('lan'), role: 'signer', order: 1 };
  const quan = { name: 'Đỗ Minh Quân', email: uniqueEmail('quan'), role: 'signer', order: 1 };

  // A tenant's key, or none (the signer's calls).
  const api = <T = Json>(method: string, path: string, json?: unknown, key?: string) =>
    serverApi(server)<T>(method, path, json, key ?? false);
  const drained = async () => {
    // Bounded, but generous: on a machine shared by several test runs the outbox worker can lag.
    for (let until = Date.now() + 60_000; Date.now() < until; await new Promise((r) => setTimeout(r, 100))) {
      if ((await api<{ owed: number }>('GET', '/dev/outbox')).body.owed === 0) return;
    }
    throw new Error('the outbox did not drain in 60 s');
  };
  const linkToken = async (email: string) => {
    await drained();
    const mail = await api<{ messages: { to: string; text: string }[] }>('GET', `/dev/mail?to=${encodeURIComponent(email)}`);
    const token = /\/s\/([A-Za-z0-9_-]+)/.exec(mail.body.messages.filter((m) => m.to === email).at(-1)?.text ?? '')?.[1];
    if (!token) throw new Error(`no link for ${email}`);
    return token;
  };
  const createAndSend = async (key: string, recipients: Record<string, unknown>[]) => {
    const env = await api<{ id: string }>(
      'POST',
      '/v1/envelopes',
      {
        title: 'Hợp đồng dịch vụ (hai CA)',
        documents: [{ name: 'hd.pdf', contentBase64: Buffer.from(fixture('hop-dong-lao-dong.pdf')).toString('base64') }],
        recipients,
        fields: recipients.map((_, i) => ({
          recipient: i,
          document: 0,
          type: 'signature',
          page: 1,
          x: 40 + i * 270,
          y: 600,
          width: 220,
          height: 60,
        })),
      },
      key,
    );
    expect(env.status, JSON.stringify(env.body)).toBe(201);
    expect((await api('POST', `/v1/envelopes/${env.body.id}/send`, undefined, key)).status).toBe(200);
    return env.body.id;
  };
  const remote = (token: string, body: Record<string, unknown>) =>
    api<Json & { status?: string; sessionId?: string }>('POST', `/v1/sign/${token}/remote`, body);

  beforeAll(async () => {
    [caOne, caTwo] = await Promise.all([
      startCscTestServer({ caName: 'VNPT SmartCA (thử nghiệm)', clientId: 'kyso-one' }),
      startCscTestServer({ caName: 'Viettel MySign (thử nghiệm)', clientId: 'kyso-two' }),
    ]);
    server = await startServer({
      AWS_ENDPOINT_URL: inject('awsEndpoint'),
      KYSO_TRUSTED_ROOTS: caOne.rootPem + caTwo.rootPem,
      KYSO_SIGNING_SESSION_TTL_SECONDS: String(SESSION_TTL_S),
      KYSO_REMOTE_SIGNING_PROVIDERS: JSON.stringify([
        {
          id: 'vnpt-test',
          name: 'VNPT SmartCA (thử nghiệm)',
          baseUrl: caOne.url,
          clientId: 'kyso-one',
          clientSecret: caOne.config.clientSecret,
        },
      ]),
    });
    const a = await api<{ apiKey: string; tenant: { id: string } }>(
      'POST',
      '/admin/tenants',
      { name: 'Công ty CP Hai CA' },
      server.adminKey,
    );
    const b = await api<{ apiKey: string }>('POST', '/admin/tenants', { name: 'Công ty khác' }, server.adminKey);
    [keyA, keyB, tenantA] = [a.body.apiKey, b.body.apiKey, a.body.tenant.id];
    await caOne.addUser('079088001234', lan.name);
    await caTwo.addUser('0912345678', quan.name);
  }, 180_000);

  afterAll(async () => {
    await Promise.all([caOne?.close(), caTwo?.close()]);
    await server?.stop();
    const output = server?.output() ?? '';
    // Client secrets and the signers' ids at their CA are never logged.
    for (const secret of [caOne?.config.clientSecret, caTwo?.config.clientSecret, '079088001234', '0912345678']) {
      if (secret) expect(output.includes(secret), 'a secret or user id in the logs').toBe(false);
    }
    expect(output.split('\n').filter((l) => l.includes('"level":"error"'))).toEqual([]);
  });

  it('a tenant adds its own provider: secret sealed with KMS, never returned; URL guarded; other tenants see nothing of it', async () => {
    const guarded = await api(
      'POST',
      '/v1/remote-signing/providers',
      { ...caTwo.config, baseUrl: 'http://169.254.169.254/csc', name: 'X' },
      keyA,
    );
    expect([guarded.status, guarded.body.error?.code]).toEqual([400, 'url_not_allowed']);

    const added = await api<Json & { id: string }>(
      'POST',
      '/v1/remote-signing/providers',
      { name: 'Viettel MySign (thử nghiệm)', baseUrl: caTwo.url, clientId: 'kyso-two', clientSecret: caTwo.config.clientSecret },
      keyA,
    );
    expect(added.status, JSON.stringify(added.body)).toBe(201);
    expect(added.body).toMatchObject({ name: 'Viettel MySign (thử nghiệm)', clientId: 'kyso-two', source: 'tenant', isDefault: false });
    expect(JSON.stringify(added.body)).not.toContain(caTwo.config.clientSecret);
    caTwoId = added.body.id;

    const listed = await api<{ providers: Json[] }>('GET', '/v1/remote-signing/providers', undefined, keyA);
    expect(listed.body.providers.map((p) => [p.id, p.name, p.source])).toEqual([
      [caTwoId, 'Viettel MySign (thử nghiệm)', 'tenant'],
      ['vnpt-test', 'VNPT SmartCA (thử nghiệm)', 'deployment'],
    ]);
    expect(JSON.stringify(listed.body)).not.toContain(caTwo.config.clientSecret);
    expect(JSON.stringify(listed.body)).not.toContain(caOne.config.clientSecret);

    // What is stored: only the KMS-sealed form.
    const dynamo = DynamoDBDocumentClient.from(
      new DynamoDBClient({
        endpoint: inject('awsEndpoint'),
        region: 'ap-southeast-1',
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      }),
    );
    const item = (
      await dynamo.send(new GetCommand({ TableName: 'kyso', Key: { pk: `TENANT#${tenantA}`, sk: `REMOTE-PROVIDER#${caTwoId}` } }))
    ).Item;
    expect(item?.sealedSecret).toMatch(/^kms1\./);
    expect(JSON.stringify(item)).not.toContain(caTwo.config.clientSecret);

    // Tenant isolation: another tenant neither sees nor deletes it.
    const other = await api<{ providers: Json[] }>('GET', '/v1/remote-signing/providers', undefined, keyB);
    expect(other.body.providers.map((p) => p.id)).toEqual(['vnpt-test']);
    const stolen = await api('DELETE', `/v1/remote-signing/providers/${caTwoId}`, undefined, keyB);
    expect([stolen.status, stolen.body.error?.code]).toEqual([404, 'remote_provider_not_found']);
    const operators = await api('DELETE', '/v1/remote-signing/providers/vnpt-test', undefined, keyA);
    expect(operators.status).toBe(403);
  });

  it('two signers of one envelope sign through different CAs; the first CA down does not stop the second; refusals are 4xx and audited', async () => {
    envelopeId = await createAndSend(keyA, [lan, quan]);
    const [lanToken, quanToken] = [await linkToken(lan.email), await linkToken(quan.email)];
    const methods = await api<Json>('GET', `/v1/sign/${lanToken}/methods`);
    expect(methods.body).toEqual({
      signatureLevel: 'electronic',
      platform: true,
      usbToken: true,
      providers: [
        { id: caTwoId, name: 'Viettel MySign (thử nghiệm)' },
        { id: 'vnpt-test', name: 'VNPT SmartCA (thử nghiệm)' },
      ],
      remote: null,
    });

    caOne.behaviour.down = true;
    const down = await remote(lanToken, { providerId: 'vnpt-test', userId: '079088001234' });
    expect([down.status, down.body.error?.code]).toEqual([502, 'remote_signing_failed']);
    // The other CA is unaffected: Quân signs at once through his.
    const quanSigned = await remote(quanToken, { providerId: caTwoId, userId: '0912345678' });
    expect(quanSigned.status, JSON.stringify(quanSigned.body)).toBe(200);
    expect(quanSigned.body.status).toBe('signed');
    caOne.behaviour.down = false;

    // No providerId and no default while two providers exist: the signer must choose.
    const unchosen = await remote(lanToken, { userId: '079088001234' });
    expect([unchosen.status, unchosen.body.error?.code]).toEqual([409, 'remote_signing_not_configured']);
    const wrongUser = await remote(lanToken, { providerId: 'vnpt-test', userId: '079088009999' });
    expect([wrongUser.status, wrongUser.body.error?.code]).toEqual([422, 'remote_signing_unknown_user']);
    // Lan's id is at the first CA, not the second.
    const wrongCa = await remote(lanToken, { providerId: caTwoId, userId: '079088001234' });
    expect(wrongCa.body.error?.code).toBe('remote_signing_unknown_user');
    const unknown = await remote(lanToken, { providerId: 'rsp_doesnotexist', userId: '079088001234' });
    expect([unknown.status, unknown.body.error?.code]).toEqual([404, 'remote_provider_not_found']);

    Object.assign(caOne.behaviour, { confirmation: 'refuse' });
    const asked = await remote(lanToken, { providerId: 'vnpt-test', userId: '079088001234' });
    expect(asked.status).toBe(202);
    const refused = await api('GET', `/v1/sign/${lanToken}/remote/${asked.body.sessionId}`);
    expect([refused.status, refused.body.error?.code]).toEqual([422, 'remote_signing_refused']);

    // Never confirmed on the phone: the session's expiry is the timeout.
    Object.assign(caOne.behaviour, { confirmation: 'never' });
    const forgotten = await remote(lanToken, { providerId: 'vnpt-test', userId: '079088001234' });
    expect(forgotten.status).toBe(202);
    await new Promise((r) => setTimeout(r, (SESSION_TTL_S + 1) * 1000));
    const timedOut = await api('GET', `/v1/sign/${lanToken}/remote/${forgotten.body.sessionId}`);
    expect([timedOut.status, timedOut.body.error?.code]).toEqual([410, 'signing_session_expired']);

    // The CA goes down while Lan confirms on her phone: that poll is a 502 (audited), the session survives it.
    Object.assign(caOne.behaviour, { confirmation: 'delayed', delayMs: 300 });
    const started = await remote(lanToken, { providerId: 'vnpt-test', userId: '079088001234' });
    expect(started.status).toBe(202);
    caOne.behaviour.down = true;
    const blip = await api('GET', `/v1/sign/${lanToken}/remote/${started.body.sessionId}`);
    expect([blip.status, blip.body.error?.code]).toEqual([502, 'remote_signing_failed']);
    caOne.behaviour.down = false;
    let lanSigned = await api<Json & { status?: string }>('GET', `/v1/sign/${lanToken}/remote/${started.body.sessionId}`);
    for (let i = 0; i < 20 && lanSigned.status === 202; i++) {
      await new Promise((r) => setTimeout(r, 200));
      lanSigned = await api<Json & { status?: string }>('GET', `/v1/sign/${lanToken}/remote/${started.body.sessionId}`);
    }
    expect(lanSigned.status, JSON.stringify(lanSigned.body)).toBe(200);
    expect((lanSigned.body.envelope as { status: string }).status).toBe('completed');

    await drained();
    const events = (
      await api<{ events: { action: string; data?: Record<string, unknown> }[] }>(
        'GET',
        `/v1/envelopes/${envelopeId}/audit`,
        undefined,
        keyA,
      )
    ).body.events;
    const with_ = (action: string) => events.filter((e) => e.action === action);
    const failed = with_('recipient.remote_signing.provider.failed');
    expect(failed.map((e) => [e.data?.providerId, e.data?.ca, !!e.data?.sessionId])).toEqual([
      ['vnpt-test', 'VNPT SmartCA (thử nghiệm)', false],
      ['vnpt-test', 'VNPT SmartCA (thử nghiệm)', true],
    ]);
    expect(with_('recipient.remote_signing.credential.unknown').map((e) => e.data?.providerId)).toEqual(['vnpt-test', caTwoId]);
    expect(with_('recipient.remote_signing.authorize.refused')).toHaveLength(1);
    expect(with_('recipient.remote_signing.timed-out').map((e) => e.data?.providerId)).toEqual(['vnpt-test']);
    expect(with_('recipient.signature_rejected').map((e) => e.data?.code)).toEqual(
      expect.arrayContaining([
        'remote_signing_unknown_user',
        'remote_provider_not_found',
        'remote_signing_refused',
        'signing_session_expired',
      ]),
    );
    expect(with_('recipient.signed').map((e) => e.data?.method)).toEqual([
      'remote-signing:Viettel MySign (thử nghiệm)',
      'remote-signing:VNPT SmartCA (thử nghiệm)',
    ]);
    expect(JSON.stringify(events)).not.toContain('079088001234');
  });

  it('the completed PDF: both signatures valid and trusted in pdfsig with both roots; each CA’s root covers only its own signer', async () => {
    const env = await api<{ status: string; documents: { id: string }[] }>('GET', `/v1/envelopes/${envelopeId}`, undefined, keyA);
    expect(env.body.status).toBe('completed');
    const pdf = (await api<Uint8Array>('GET', `/v1/envelopes/${envelopeId}/documents/${env.body.documents[0]?.id}`, undefined, keyA)).body;
    const platformRoot = Buffer.from((await api<Uint8Array>('GET', '/pki/root.pem')).body).toString('utf8');
    const both = runPdfsig(pdf, [platformRoot, caOne.rootPem, caTwo.rootPem]);
    const signers = both.signatures.filter((s) => s.subFilter === 'ETSI.CAdES.detached').slice(1);
    expect(signers.map((s) => s.signerName).sort(), both.output).toEqual([quan.name, lan.name].sort());
    for (const s of signers) expect([s.valid, s.trusted], s.raw).toEqual([true, true]);
    // Different CAs indeed: with only the first CA's root, only Lan's chain is trusted.
    const onlyOne = runPdfsig(pdf, [platformRoot, caOne.rootPem]).signatures.filter((s) => s.subFilter === 'ETSI.CAdES.detached');
    expect(Object.fromEntries(onlyOne.slice(1).map((s) => [s.signerName, s.trusted]))).toEqual({ [lan.name]: true, [quan.name]: false });
  });

  it('a signer of another tenant cannot use this tenant’s provider', async () => {
    const someone = { name: 'Người ngoài', email: uniqueEmail('other'), role: 'signer', order: 1 };
    await createAndSend(keyB, [someone]);
    const token = await linkToken(someone.email);
    const r = await remote(token, { providerId: caTwoId, userId: '0912345678' });
    expect([r.status, r.body.error?.code]).toEqual([404, 'remote_provider_not_found']);
    const methods = await api<{ providers: { id: string }[] }>('GET', `/v1/sign/${token}/methods`);
    expect(methods.body.providers.map((p) => p.id)).toEqual(['vnpt-test']);
  });
});
