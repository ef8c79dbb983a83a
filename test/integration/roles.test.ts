import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { call, createTenant, outboxDrained, uniqueEmail } from '../support/api.js';
import { runPdfsig } from '../support/validators.js';
import {
  createAndSend,
  type EnvelopeBody,
  type ErrorBody,
  getEnvelope,
  latestLinkToken,
  mailsTo,
  signWith,
  workflowJson,
} from '../support/workflow.js';

const rootPem = async () => (await call<string>('GET', '/pki/root.pem')).body;

describe('approver, parallel signers, organisation seal and viewer in one envelope (1, 2, 2, 3, viewer)', () => {
  let tenant: { tenantId: string; apiKey: string };
  beforeAll(async () => {
    tenant = await createTenant('Công ty TNHH Điện Lực Thử Nghiệm');
    const seal = await call<{ status: string; keySpec: string; certificatePem: string; organization: string; taxCode: string }>(
      'POST',
      '/v1/seal',
      { key: tenant.apiKey, json: { taxCode: '0101234567' } },
    );
    expect(seal.status, JSON.stringify(seal.body)).toBe(201);
    expect(seal.body.status).toBe('active');
    expect(seal.body.keySpec).toBe('ECC_NIST_P256');
    expect(seal.body.organization).toBe('Công ty TNHH Điện Lực Thử Nghiệm');
    expect(seal.body.certificatePem).toMatch(/^-----BEGIN CERTIFICATE-----/);
    const again = await call<{ keySpec: string }>('POST', '/v1/seal', { key: tenant.apiKey, json: { taxCode: '0101234567' } });
    expect(again.status).toBe(200);
  });

  it('routes by order across roles, seals automatically, completes, and mails the viewer', async () => {
    const key = tenant.apiKey;
    const hr = { name: 'Trưởng phòng Nhân sự', email: uniqueEmail('hr'), role: 'approver', order: 1 };
    const an = { name: 'Nguyễn Văn An', email: uniqueEmail('an'), role: 'signer', order: 2 };
    const binh = { name: 'Lê Thị Bình', email: uniqueEmail('binh'), role: 'signer', order: 2 };
    const seal = { name: 'Con dấu công ty', role: 'seal', order: 3 };
    const viewer = { name: 'Kế toán', email: uniqueEmail('ketoan'), role: 'viewer', order: 1 };
    const env = await createAndSend(key, [hr, an, binh, seal, viewer]);
    expect(env.recipients.map((r) => r.status)).toEqual(['notified', 'pending', 'pending', 'pending', 'pending']);
    expect(await mailsTo(an.email)).toHaveLength(0);
    expect(await mailsTo(viewer.email)).toHaveLength(0);

    const hrToken = await latestLinkToken(hr.email);
    expect((await mailsTo(hr.email))[0]?.subject).toMatch(/^Yêu cầu phê duyệt/);
    const view = await call<{ recipient: { role: string } }>('GET', `/v1/sign/${hrToken}`);
    expect(view.body.recipient.role).toBe('approver');
    const hrSigns = await signWith(hrToken, hr.name);
    expect(hrSigns.status).toBe(403);
    expect(hrSigns.body.error.code).toBe('wrong_role');
    const approved = await call('POST', `/v1/sign/${hrToken}/approve`);
    expect(approved.status).toBe(200);
    const twice = await call<ErrorBody>('POST', `/v1/sign/${hrToken}/approve`);
    expect(twice.status).toBe(409);

    const [ta, tb] = [await latestLinkToken(an.email), await latestLinkToken(binh.email)];
    const anApproves = await call<ErrorBody>('POST', `/v1/sign/${ta}/approve`);
    expect(anApproves.body.error.code).toBe('wrong_role');
    expect((await signWith(ta, an.name)).status).toBe(200);
    expect((await getEnvelope(key, env.id)).body.status).toBe('sent');
    expect((await signWith(tb, binh.name)).status).toBe(200);

    // Order 3 is the seal: its turn is owed by Bình's commit and applied by a job (the outbox).
    expect((await outboxDrained({ envelopeId: env.id })).owed).toBe(0);
    const done = await getEnvelope(key, env.id);
    expect(done.body.status).toBe('completed');
    expect(done.body.recipients.map((r) => r.status)).toEqual(['approved', 'signed', 'signed', 'signed', 'pending']);
    const viewerMail = await mailsTo(viewer.email);
    expect(viewerMail.map((m) => m.subject.slice(0, 13))).toEqual(['Đã hoàn tất: ']);
    const viewerToken = /\/s\/([A-Za-z0-9_-]+)/.exec(viewerMail[0]?.text ?? '')?.[1] as string;
    const doc = done.body.documents[0] as { id: string };
    const viewerPdf = await call<Uint8Array>('GET', `/v1/sign/${viewerToken}/documents/${doc.id}`);
    expect(viewerPdf.status).toBe(200);

    const pdf = await call<Uint8Array>('GET', `/v1/envelopes/${env.id}/documents/${doc.id}`, { key });
    const sig = runPdfsig(pdf.body, [await rootPem()]);
    const cades = sig.signatures.filter((s) => s.subFilter === 'ETSI.CAdES.detached');
    for (const s of cades) {
      expect(s.valid, s.raw).toBe(true);
      expect(s.trusted, s.raw).toBe(true);
    }
    const names = cades.map((s) => s.signerName);
    expect(names).toContain(an.name);
    expect(names).toContain(binh.name);
    expect(names[names.length - 1]).toBe('Công ty TNHH Điện Lực Thử Nghiệm');

    const audit = await call<{ events: { action: string; data?: { method?: string; signature?: string } }[] }>(
      'GET',
      `/v1/envelopes/${env.id}/audit`,
      { key },
    );
    const actions = audit.body.events.map((e) => e.action);
    expect(actions).toContain('recipient.approved');
    expect(audit.body.events.filter((e) => e.action === 'recipient.signed').map((e) => e.data?.method)).toEqual([
      'email-link',
      'email-link',
      'organisation-seal',
    ]);
    expect(actions.slice(-3)).toEqual(['envelope.completed', 'audit.head_signed', 'envelope.archived']);
  });

  it('an approver who rejects ends the envelope', async () => {
    const hr = { name: 'Duyệt', email: uniqueEmail('rej'), role: 'approver', order: 1 };
    const an = { name: 'Ký', email: uniqueEmail('rejan'), role: 'signer', order: 2 };
    const env = await createAndSend(tenant.apiKey, [hr, an]);
    const r = await call('POST', `/v1/sign/${await latestLinkToken(hr.email)}/decline`, { json: { reason: 'Sai phụ lục' } });
    expect(r.status).toBe(200);
    expect((await getEnvelope(tenant.apiKey, env.id)).body.status).toBe('declined');
    expect(await mailsTo(an.email)).toHaveLength(0);
  });

  it('a seal can use an RSA key', async () => {
    const other = await createTenant('Công ty Cổ phần Nước Sạch RSA');
    const r = await call<{ keySpec: string; status: string }>('POST', '/v1/seal', {
      key: other.apiKey,
      json: { taxCode: '0309876543-001', keySpec: 'RSA_2048', organization: 'Nước Sạch RSA' },
    });
    expect(r.status).toBe(201);
    expect(r.body.keySpec).toBe('RSA_2048');
    const signer = { name: 'Khách hàng', email: uniqueEmail('rsa'), role: 'signer', order: 1 };
    const env = await createAndSend(other.apiKey, [signer, { name: 'Dấu', role: 'seal', order: 2 }]);
    expect((await signWith(await latestLinkToken(signer.email), signer.name)).status).toBe(200);
    const done = await getEnvelope(other.apiKey, env.id);
    expect(done.body.status).toBe('completed');
    const pdf = await call<Uint8Array>('GET', `/v1/envelopes/${env.id}/documents/${done.body.documents[0]?.id}`, { key: other.apiKey });
    const cades = runPdfsig(pdf.body, [await rootPem()]).signatures.filter((s) => s.subFilter === 'ETSI.CAdES.detached');
    expect(cades.every((s) => s.valid && s.trusted)).toBe(true);
    expect(cades[cades.length - 1]?.signerName).toBe('Nước Sạch RSA');
  });
});

describe('a seal that cannot be applied when its turn comes', () => {
  it('waits as notified, is audited once, and is applied on a later read once the seal works again', async () => {
    const t = await createTenant('Công ty Dấu Tạm Hỏng');
    await call('POST', '/v1/seal', { key: t.apiKey, json: { taxCode: '0312345678' } });
    const signer = { name: 'Người ký', email: uniqueEmail('stuck'), role: 'signer', order: 1 };
    const env = await createAndSend(t.apiKey, [signer, { name: 'Dấu', role: 'seal', order: 2 }]);
    // The certificate disappears (think: expired and not yet renewed through issue 8's upload).
    const dynamo = DynamoDBDocumentClient.from(
      new DynamoDBClient({
        endpoint: inject('awsEndpoint'),
        region: 'ap-southeast-1',
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      }),
    );
    await dynamo.send(
      new UpdateCommand({
        TableName: 'kyso',
        Key: { pk: `TENANT#${t.tenantId}`, sk: 'SEAL' },
        UpdateExpression: 'REMOVE certificate, chain',
      }),
    );
    expect((await signWith(await latestLinkToken(signer.email), signer.name)).status).toBe(200);
    const stuck = await getEnvelope(t.apiKey, env.id);
    expect(stuck.body.status).toBe('sent');
    expect(stuck.body.recipients.map((r) => r.status)).toEqual(['signed', 'notified']);
    await getEnvelope(t.apiKey, env.id);
    // The seal's turn is a job (the outbox): its first failure is audited once it has run.
    expect((await outboxDrained({ envelopeId: env.id })).owed).toBe(0);
    const audit = await call<{ events: { action: string }[] }>('GET', `/v1/envelopes/${env.id}/audit`, { key: t.apiKey });
    expect(audit.body.events.filter((e) => e.action === 'recipient.seal_failed')).toHaveLength(1);

    await call('POST', '/v1/seal', { key: t.apiKey, json: { taxCode: '0312345678' } });
    const done = await getEnvelope(t.apiKey, env.id);
    expect(done.body.status).toBe('completed');
    expect(done.body.recipients.map((r) => r.status)).toEqual(['signed', 'signed']);
  });
});

describe('role rules on create', () => {
  let key: string;
  beforeAll(async () => {
    key = (await createTenant('Công ty Không Có Dấu')).apiKey;
  });
  const cases: [string, () => unknown, number, string][] = [
    [
      'an approver with a signature field',
      () => workflowJson([{ name: 'A', email: uniqueEmail('a'), role: 'approver', signatureField: true }]),
      400,
      'unexpected_field',
    ],
    [
      'a viewer with a field',
      () =>
        workflowJson([
          { name: 'S', email: uniqueEmail('s') },
          { name: 'V', email: uniqueEmail('v'), role: 'viewer', signatureField: true },
        ]),
      400,
      'unexpected_field',
    ],
    [
      'an unknown role',
      () => workflowJson([{ name: 'X', email: uniqueEmail('x'), role: 'witness', signatureField: true }]),
      400,
      'validation_failed',
    ],
    ['only viewers', () => workflowJson([{ name: 'V', email: uniqueEmail('v'), role: 'viewer' }]), 400, 'validation_failed'],
    [
      'a seal without a signature field',
      () => workflowJson([{ name: 'D', role: 'seal', signatureField: false }]),
      400,
      'missing_signature_field',
    ],
    ['a signer without an email', () => workflowJson([{ name: 'No Mail' }]), 400, 'validation_failed'],
    [
      'otp and access code together',
      () => workflowJson([{ name: 'O', email: uniqueEmail('o'), auth: { otp: true, accessCode: '123456' } }]),
      400,
      'validation_failed',
    ],
  ];
  it.each(cases)('rejects %s', async (_label, body, status, code) => {
    const r = await call<ErrorBody>('POST', '/v1/envelopes', { key, json: body() });
    expect(r.status, JSON.stringify(r.body)).toBe(status);
    expect(r.body.error.code).toBe(code);
  });

  it('rejects an unknown role with a message naming the roles', async () => {
    const r = await call<ErrorBody>('POST', '/v1/envelopes', {
      key,
      json: workflowJson([{ name: 'X', email: uniqueEmail('x'), role: 'witness', signatureField: true }]),
    });
    expect(r.body.error.message).toMatch(/signer, approver, viewer, seal/);
  });

  it('refuses a seal recipient until the tenant has a seal', async () => {
    const r = await call<ErrorBody>('POST', '/v1/envelopes', {
      key,
      json: workflowJson([
        { name: 'S', email: uniqueEmail('s') },
        { name: 'Dấu', role: 'seal', order: 2 },
      ]),
    });
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('seal_not_provisioned');
    expect((await call<ErrorBody>('GET', '/v1/seal', { key })).status).toBe(404);
    const badTax = await call<ErrorBody>('POST', '/v1/seal', { key, json: { taxCode: '12' } });
    expect(badTax.status).toBe(400);
  });

  it('accepts the mixed order 1, 2, 2, 2, 3', async () => {
    const r = await call<EnvelopeBody>('POST', '/v1/envelopes', {
      key,
      json: workflowJson([
        { name: 'A', email: uniqueEmail('o1'), order: 1 },
        { name: 'B', email: uniqueEmail('o2'), order: 2, role: 'approver' },
        { name: 'C', email: uniqueEmail('o3'), order: 2 },
        { name: 'D', email: uniqueEmail('o4'), order: 2 },
        { name: 'E', email: uniqueEmail('o5'), order: 3 },
      ]),
    });
    expect(r.status).toBe(201);
  });
});
