import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectTaggingCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { call, createTenant, uniqueEmail } from '../support/api.js';
import { localS3, TEST_BUCKET } from '../support/aws.js';
import { ekycImages } from '../support/ekyc-test-server.js';
import { extractSignatures } from '../support/pdf-inspect.js';
import { createAndSend, devKey, type ErrorBody, getEnvelope, latestLinkToken, signWith, workflowJson } from '../support/workflow.js';

interface AuditBody {
  events: { action: string; data?: Record<string, unknown> }[];
}
const auditOf = async (id: string) => (await call<AuditBody>('GET', `/v1/envelopes/${id}/audit`, { key: devKey() })).body.events;
const person = (n: number) => ({ id: `079099${String(n).padStart(6, '0')}`, name: 'Nguyễn Văn An', dob: '1999-05-01' });
const rand = () => Math.floor(Math.random() * 999_999);
const prove = (token: string, images: ReturnType<typeof ekycImages>) =>
  call<ErrorBody & { verified?: boolean; fullName?: string }>('POST', `/v1/sign/${token}/identity/document`, { json: images });

/** The subjects of every certificate in every signature of a PDF, as openssl prints them. */
const signatureSubjects = (pdf: Uint8Array): string => {
  const dir = mkdtempSync(join(tmpdir(), 'kyso-id-'));
  return extractSignatures(pdf)
    .map(({ cms }, i) => {
      const file = join(dir, `sig${i}.der`);
      writeFileSync(file, cms);
      return execFileSync('openssl', ['pkcs7', '-inform', 'DER', '-in', file, '-print_certs', '-noout'], { encoding: 'utf8' });
    })
    .join('\n');
};

describe('identity proofing by citizen ID', () => {
  it('required → refused → proven by eKYC → signed; evidence in the audit trail, the certificate of completion and the signer certificate (CCCD:)', async () => {
    const p = person(rand());
    const email = uniqueEmail('ekyc');
    const env = await createAndSend(devKey(), [{ name: 'Nguyễn Văn An', email, identity: { required: true, idNumber: p.id } }]);
    const token = await latestLinkToken(email);
    const view = await call<{ identity: { required: boolean; verified: boolean }; documents: { id: string }[] }>(
      'GET',
      `/v1/sign/${token}`,
    );
    expect(view.body.identity).toEqual({ required: true, verified: false });
    const refused = await signWith(token, 'Nguyễn Văn An');
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('identity_required');
    expect((await call<ErrorBody>('GET', `/v1/sign/${token}/documents/${view.body.documents[0]?.id}`)).status).toBe(403);

    // OCR gives "NGUYỄN VĂN AN": case and diacritics aside it is the same name.
    const ok = await prove(token, ekycImages(p));
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body).toMatchObject({ verified: true, fullName: 'NGUYỄN VĂN AN' });
    expect(JSON.stringify(ok.body)).not.toContain(p.id);
    expect((await call<{ identity: Record<string, unknown> }>('GET', `/v1/sign/${token}`)).body.identity).toEqual({
      required: true,
      verified: true,
      method: 'ekyc-document-face',
    });
    const signed = await signWith(token, 'Nguyễn Văn An');
    expect(signed.status, JSON.stringify(signed.body)).toBe(200);

    const events = await auditOf(env.id);
    const verified = events.find((e) => e.action === 'recipient.identity_verified')?.data;
    expect(verified).toMatchObject({
      method: 'ekyc-document-face',
      provider: 'ekyc',
      idNumber: p.id,
      dateOfBirth: p.dob,
      fullName: 'NGUYỄN VĂN AN',
    });
    expect((verified?.scores as { faceMatch?: number } | undefined)?.faceMatch).toBeGreaterThan(0.9);
    expect(verified?.transactionId).toMatch(/^[0-9a-f]{16}$/);
    expect(events.find((e) => e.action === 'recipient.signed')?.data?.method).toBe('email-link+ekyc-document-face');
    expect((await call<{ ok: boolean }>('GET', `/v1/envelopes/${env.id}/audit/verify`, { key: devKey() })).body.ok).toBe(true);

    const envelope = await getEnvelope(devKey(), env.id);
    expect(envelope.body.status).toBe('completed');
    const doc = await call<Uint8Array>('GET', `/v1/envelopes/${env.id}/documents/${envelope.body.documents[0]?.id}`, { key: devKey() });
    expect(signatureSubjects(doc.body)).toMatch(new RegExp(`UID\\s*=\\s*CCCD:${p.id}`));

    const cert = await call<Uint8Array>('GET', `/v1/envelopes/${env.id}/certificate`, { key: devKey() });
    expect(cert.status).toBe(200);
    const dir = mkdtempSync(join(tmpdir(), 'kyso-coc-'));
    writeFileSync(join(dir, 'c.pdf'), cert.body);
    const text = execFileSync('pdftotext', ['-layout', join(dir, 'c.pdf'), '-'], { encoding: 'utf8' });
    expect(text).toContain(p.id);
    expect(text).toContain('NGUYỄN VĂN AN');
    expect(text).toMatch(/eKYC CCCD/);
  });

  it.each([
    ['other-face', 'face_mismatch'],
    ['tampered', 'fraud_suspected'],
    ['card-as-selfie', 'fraud_suspected'],
  ] as const)('eKYC %s → identity_mismatch (%s), audited', async (outcome, reason) => {
    const p = person(rand());
    const email = uniqueEmail('ekyc-bad');
    const env = await createAndSend(devKey(), [{ name: 'Nguyễn Văn An', email, identity: { required: true } }], {
      senderEmail: uniqueEmail('sender'),
    });
    const token = await latestLinkToken(email);
    const r = await prove(token, ekycImages(p, outcome));
    expect(r.status).toBe(422);
    expect(r.body.error).toMatchObject({ code: 'identity_mismatch', details: { reason, attemptsLeft: 4 } });
    expect((await auditOf(env.id)).find((e) => e.action === 'recipient.identity_failed')?.data?.reason).toBe(reason);
  });

  it('ID images are kept as long as the tenant says: each is tagged with its period, which the bucket’s lifecycle rule for that tag applies', async () => {
    const tenant = await createTenant('Công ty Giữ Ảnh');
    const settings = await call<{ identityImageDays: number }>('GET', '/v1/settings', { key: tenant.apiKey });
    expect(settings.body.identityImageDays).toBe(90);
    for (const bad of [45, '30', 0]) {
      const r = await call<ErrorBody>('PUT', '/v1/settings', { key: tenant.apiKey, json: { identityImageDays: bad } });
      expect(r.status, String(bad)).toBe(400);
      expect(r.body.error.code).toBe('validation_failed');
    }
    expect((await call('PUT', '/v1/settings', { key: tenant.apiKey, json: { identityImageDays: 30 } })).body).toMatchObject({
      identityImageDays: 30,
    });
    const s3 = localS3();
    const tagsOf = async (tenantId: string, envelopeId: string) => {
      const listed = await s3.send(new ListObjectsV2Command({ Bucket: TEST_BUCKET, Prefix: `identity/${tenantId}/${envelopeId}/` }));
      const keys = (listed.Contents ?? []).map((o) => o.Key as string);
      return Promise.all(
        keys.map(async (Key) =>
          (await s3.send(new GetObjectTaggingCommand({ Bucket: TEST_BUCKET, Key }))).TagSet?.map((t) => `${t.Key}=${t.Value}`).join(),
        ),
      );
    };
    const proveFor = async (key: string) => {
      const p = person(rand());
      const email = uniqueEmail('keep');
      const env = await createAndSend(key, [{ name: 'Nguyễn Văn An', email, identity: { required: true, idNumber: p.id } }]);
      expect((await prove(await latestLinkToken(email), ekycImages(p))).status).toBe(200);
      return env.id;
    };
    const kept30 = await proveFor(tenant.apiKey);
    expect(await tagsOf(tenant.tenantId, kept30)).toEqual(['kyso-identity-days=30', 'kyso-identity-days=30', 'kyso-identity-days=30']);
    // A tenant that never chose: the default period.
    const other = await createTenant('Công ty Mặc Định');
    expect(await tagsOf(other.tenantId, await proveFor(other.apiKey))).toEqual([
      'kyso-identity-days=90',
      'kyso-identity-days=90',
      'kyso-identity-days=90',
    ]);
  });

  it('an eKYC outage is a 503 and is not counted; an unreadable card is not counted either', async () => {
    const p = person(rand());
    const email = uniqueEmail('ekyc-down');
    await createAndSend(devKey(), [{ name: 'Nguyễn Văn An', email, identity: { required: true } }]);
    const token = await latestLinkToken(email);
    const down = await prove(token, ekycImages(p, 'outage'));
    expect(down.status).toBe(503);
    expect(down.body.error.code).toBe('identity_provider_unavailable');
    const blurry = await prove(token, ekycImages(p, 'unreadable'));
    expect(blurry.body.error).toMatchObject({ code: 'identity_mismatch', details: { reason: 'document_unreadable' } });
    expect((await prove(token, ekycImages(p))).status).toBe(200);
  });

  it('Nguyễn Văn An ≠ Nguyễn Văn Anh; a wrong ID number; five failures lock proofing and the sender is told', async () => {
    const sender = uniqueEmail('sender');
    const email = uniqueEmail('anh');
    const wanted = person(rand());
    const env = await createAndSend(devKey(), [{ name: 'Nguyễn Văn Anh', email, identity: { required: true, idNumber: wanted.id } }], {
      senderEmail: sender,
    });
    const token = await latestLinkToken(email);
    const name = await prove(token, ekycImages({ ...wanted, name: 'Nguyễn Văn An' }));
    expect(name.body.error).toMatchObject({ code: 'identity_mismatch', details: { reason: 'name_mismatch', attemptsLeft: 4 } });
    const id = await prove(token, ekycImages({ ...person(rand()), name: 'Nguyen Van  ANH' }));
    expect(id.body.error).toMatchObject({ code: 'identity_mismatch', details: { reason: 'id_number_mismatch', attemptsLeft: 3 } });
    for (let i = 0; i < 2; i++) expect((await prove(token, ekycImages(wanted, 'other-face'))).status).toBe(422);
    const fifth = await prove(token, ekycImages(wanted, 'other-face'));
    expect(fifth.status).toBe(423);
    expect(fifth.body.error.code).toBe('identity_locked');
    // Even the right person is refused now.
    expect((await prove(token, ekycImages({ ...wanted, name: 'Nguyễn Văn Anh' }))).status).toBe(423);
    expect((await signWith(token, 'Nguyễn Văn Anh')).status).toBe(403);
    const actions = (await auditOf(env.id)).map((e) => e.action);
    expect(actions.filter((a) => a === 'recipient.identity_failed')).toHaveLength(4);
    expect(actions).toContain('recipient.identity_locked');
    const mails = (
      await call<{ messages: { to: string; subject: string }[] }>('GET', `/dev/mail?to=${encodeURIComponent(sender)}`)
    ).body.messages.filter((m) => m.to === sender);
    expect(mails.filter((m) => m.subject.startsWith('Xác minh danh tính không khớp'))).toHaveLength(5);
  });

  it('VNeID through OpenID Connect: PKCE code flow, ID token verified, then signed; a level-1 account and fraud are refused', async () => {
    const p = person(rand());
    const phone = undefined;
    const email = uniqueEmail('vneid');
    const env = await createAndSend(devKey(), [{ name: 'Nguyễn Văn An', email, phone, identity: { required: true, idNumber: p.id } }]);
    const token = await latestLinkToken(email);
    const login = async (hint: string) => {
      const start = await call<{ authorizationUrl: string }>('POST', `/v1/sign/${token}/identity/oidc`, { json: { loginHint: hint } });
      expect(start.status, JSON.stringify(start.body)).toBe(200);
      const url = new URL(start.body.authorizationUrl);
      expect(url.searchParams.get('code_challenge_method')).toBe('S256');
      const idp = await fetch(url, { redirect: 'manual' });
      const back = new URL(idp.headers.get('location') as string);
      return call<ErrorBody & { verified?: boolean }>('GET', `${back.pathname}${back.search}`);
    };
    const level1 = await login(`${p.id}|Nguyễn Văn An|${p.dob}|level1`);
    expect(level1.body.error).toMatchObject({ code: 'identity_mismatch', details: { reason: 'insufficient_assurance' } });
    const fraud = await login('fraud');
    expect(fraud.body.error).toMatchObject({ code: 'identity_mismatch', details: { reason: 'fraud_suspected' } });
    const outage = await login('outage');
    expect(outage.status).toBe(503);
    const ok = await login(`${p.id}|Nguyễn Văn An|${p.dob}`);
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect((await signWith(token, 'Nguyễn Văn An')).status).toBe(200);
    const events = await auditOf(env.id);
    expect(events.find((e) => e.action === 'recipient.identity_verified')?.data).toMatchObject({
      method: 'vneid-oidc',
      idNumber: p.id,
      assuranceLevel: 'vneid-level-2',
    });
    expect(events.find((e) => e.action === 'recipient.signed')?.data?.method).toBe('email-link+vneid-oidc');
  });

  it('a state that was never issued, or is replayed, is refused', async () => {
    const r = await call<ErrorBody>('GET', '/identity/oidc/callback?state=AAAAAAAAAAAAAAAAAAAAAAAA&code=x');
    expect(r.status).toBe(404);
    expect(r.body.error.code).toBe('token_invalid');
  });

  it('a labour contract binds the employee’s proof to the contract’s CCCD (Decree 337: parties identified)', async () => {
    const worker = person(rand());
    const labourContract = {
      employer: {
        name: 'Công ty TNHH Thử Nghiệm',
        taxCode: '0312345678',
        representative: 'Trần Thị Bình',
        address: '1 Lê Lợi, TP. Hồ Chí Minh',
      },
      employee: { name: worker.name, idNumber: worker.id, dateOfBirth: worker.dob, address: '12 Nguyễn Trãi, Hà Nội' },
      contractType: 'fixed-term',
      startDate: '2026-12-01',
      endDate: '2027-11-30',
      jobTitle: 'Kỹ sư phần mềm',
      workplace: 'TP. Hồ Chí Minh',
      salary: { amount: 25_000_000, currency: 'VND' },
    };
    const parties = (identity: Record<string, unknown>) => [
      { name: worker.name, email: uniqueEmail('nld'), identity },
      { name: 'Trần Thị Bình', email: uniqueEmail('nsdld'), order: 2 },
    ];
    // A different expected CCCD than the contract's is refused before anything is stored.
    const wrong = await call<ErrorBody>('POST', '/v1/envelopes', {
      key: devKey(),
      json: workflowJson(parties({ required: true, idNumber: person(rand()).id }), { labourContract }),
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error).toMatchObject({ code: 'invalid_labour_contract', details: { field: 'recipients[0].identity.idNumber' } });

    // Asked without a number, the proof must show the contract's.
    const who = parties({ required: true });
    const env = await createAndSend(devKey(), who, { labourContract });
    expect((env.recipients[0] as { identity?: unknown } | undefined)?.identity).toEqual({ required: true, idNumber: worker.id });
    const token = await latestLinkToken(who[0]?.email as string);
    const somebodyElse = await prove(token, ekycImages({ ...person(rand()), name: worker.name }));
    expect(somebodyElse.body.error).toMatchObject({ code: 'identity_mismatch', details: { reason: 'id_number_mismatch' } });
    const ok = await prove(token, ekycImages(worker));
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect((await signWith(token, worker.name)).status).toBe(200);
  });
});
