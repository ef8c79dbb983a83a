import { createHash } from 'node:crypto';
import { ListObjectVersionsCommand } from '@aws-sdk/client-s3';
import { describe, expect, inject, it } from 'vitest';
import { call, createTenant, outboxDrained, uniqueEmail } from '../support/api.js';
import { TEST_BUCKET as Bucket, localS3 } from '../support/aws.js';
import { consoleSignIn } from '../support/console.js';
import { ekycImages } from '../support/ekyc-test-server.js';
import { createAndSend, type ErrorBody, latestLinkToken, signWith, workflowJson } from '../support/workflow.js';

interface Kept {
  code: string;
  law?: string;
  until?: string;
  message: { vi: string; en: string };
}
interface Erasure {
  envelopeId: string;
  action: 'erased' | 'kept';
  erased: { recipients: number; auditEvents: number; identityImages: number; documents: number };
  kept: Kept[];
}
interface Request {
  id: string;
  kind: string;
  receivedAt: string;
  requestedBy: { type: string; id: string };
  subject: { kind: string; commitment: string };
  acknowledgementDue: string;
  acknowledgedInTime: boolean;
}
interface Found {
  request: Request;
  envelopes: {
    id: string;
    status: string;
    recipients: { id: string; email: string; name: string; identity?: { evidence?: { idNumber: string } } }[];
    auditEvents: { action: string; hash: string }[];
    identityImages: string[];
    documents?: { id: string; sha256: string; url: string }[];
  }[];
}

const s3 = localS3();
const keysUnder = async (Prefix: string) =>
  ((await s3.send(new ListObjectVersionsCommand({ Bucket, Prefix }))).Versions ?? []).map((v) => v.Key as string);

const rand = () => String(Math.floor(Math.random() * 999_999)).padStart(6, '0');
const proveIdentity = async (token: string, person: { id: string; name: string; dob: string }) => {
  const r = await call<ErrorBody>('POST', `/v1/sign/${token}/identity/document`, { json: ekycImages(person) });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
};

describe('personal-data requests (issue 17)', () => {
  it('finds, exports and erases a person: the signed labour contract is kept (with the law), the voided envelope erased, images gone, chains still verify; tenants isolated', async () => {
    const { tenantId, apiKey: key } = await createTenant('Công ty Dữ Liệu Cá Nhân');
    const other = await createTenant('Công ty Khác');
    const person = { id: `079099${rand()}`, name: 'Nguyễn Văn An', dob: '1999-05-01' };
    const email = uniqueEmail('an.nguyen');
    const phone = `09${rand()}${rand().slice(0, 2)}`;

    // 1. A labour contract, identity proven by eKYC, signed: completed.
    const signed = await createAndSend(key, [{ name: person.name, email, identity: { required: true, idNumber: person.id } }], {
      contractKind: 'labourContract',
    });
    const t1 = await latestLinkToken(email);
    // 2. Another, with the same person (email written in upper case, a phone), identity proven, then voided: never completed.
    const voided = await createAndSend(key, [{ name: person.name, email: email.toUpperCase(), phone, identity: { required: true } }]);
    const t2 = await latestLinkToken(email);
    expect(t2).not.toBe(t1);
    await proveIdentity(t1, person);
    expect((await signWith(t1, person.name)).status).toBe(200);
    await proveIdentity(t2, person);
    expect((await call('POST', `/v1/envelopes/${voided.id}/void`, { key, json: { reason: 'Ứng viên từ chối' } })).status).toBe(200);
    // 3. Another tenant's draft with the same email: never seen by the first tenant's requests.
    const theirs = await call<{ id: string }>('POST', '/v1/envelopes', { key: other.apiKey, json: workflowJson([{ name: 'An', email }]) });
    expect(theirs.status).toBe(201);
    await outboxDrained();
    expect(await keysUnder(`identity/${tenantId}/`)).toHaveLength(6); // front, back, selfie twice

    // Find: by email in any case, by phone in any usual form, by CCCD.
    const found = await call<Found>('GET', `/v1/data-subjects?email=${encodeURIComponent(`  ${email.toUpperCase()}`)}`, { key });
    expect(found.status, JSON.stringify(found.body)).toBe(200);
    expect(found.body.envelopes.map((e) => e.id).sort()).toEqual([signed.id, voided.id].sort());
    const f1 = found.body.envelopes.find((e) => e.id === signed.id);
    expect(f1?.recipients[0]?.identity?.evidence?.idNumber).toBe(person.id);
    expect(f1?.auditEvents.map((e) => e.action)).toEqual(expect.arrayContaining(['recipient.identity_verified', 'recipient.signed']));
    expect(f1?.identityImages).toHaveLength(3);
    expect(found.body.request).toMatchObject({ kind: 'access', requestedBy: { type: 'api-key' }, subject: { kind: 'email' } });
    expect(JSON.stringify(found.body.request)).not.toContain(email);
    const byPhone = await call<Found>(
      'GET',
      `/v1/data-subjects?phone=${encodeURIComponent(`+84 ${phone.slice(1, 4)} ${phone.slice(4)}`)}`,
      {
        key,
      },
    );
    expect(byPhone.body.envelopes.map((e) => e.id)).toEqual([voided.id]);
    const byId = await call<Found>('GET', `/v1/data-subjects?idNumber=${person.id}`, { key });
    expect(byId.body.envelopes.map((e) => e.id).sort()).toEqual([signed.id, voided.id].sort());
    const isolated = await call<Found>('GET', `/v1/data-subjects?email=${encodeURIComponent(email)}`, { key: other.apiKey });
    expect(isolated.body.envelopes.map((e) => e.id)).toEqual([theirs.body.id]);

    // Export: JSON, with a working link to the document they signed (and none for the one never signed).
    const exported = await call<Found & { format: string }>('POST', '/v1/data-subjects/export', { key, json: { email } });
    expect(exported.status).toBe(200);
    expect(exported.body.format).toBe('kyso-data-subject-export/v1');
    const doc = exported.body.envelopes.find((e) => e.id === signed.id)?.documents?.[0];
    expect(doc?.url).toMatch(/^http/);
    const bytes = new Uint8Array(await (await fetch(doc?.url as string)).arrayBuffer());
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(doc?.sha256);
    expect(exported.body.envelopes.find((e) => e.id === voided.id)?.documents).toEqual([]);

    // Erase: the completed labour contract is kept under the labour retention, the voided envelope erased.
    const erase = () => call<{ request: Request; envelopes: Erasure[] }>('POST', '/v1/data-subjects/erase', { key, json: { email } });
    const erased = await erase();
    expect(erased.status, JSON.stringify(erased.body)).toBe(200);
    const kept = erased.body.envelopes.find((e) => e.envelopeId === signed.id);
    expect(kept).toMatchObject({ action: 'kept', erased: { identityImages: 3, recipients: 0, documents: 0 } });
    expect(kept?.kept.map((k) => k.code)).toEqual(['retention']);
    expect(kept?.kept[0]?.law).toContain('Nghị định 337/2025/NĐ-CP');
    expect(kept?.kept[0]?.message.vi).toContain('Hợp đồng lao động');
    const gone = erased.body.envelopes.find((e) => e.envelopeId === voided.id);
    expect(gone?.action).toBe('erased');
    expect(gone?.erased.recipients).toBe(1);
    expect(gone?.erased.identityImages).toBe(3);
    expect(gone?.erased.auditEvents).toBeGreaterThan(0); // recipient.identity_verified at least (the trail is checked below)
    expect(gone?.erased.documents).toBeGreaterThan(0);
    expect(erased.body.request.kind).toBe('erase');

    expect(await keysUnder(`identity/${tenantId}/`)).toEqual([]);
    expect(await keysUnder(`tenants/${tenantId}/envelopes/${voided.id}/`)).toEqual([]);
    for (const id of [signed.id, voided.id]) {
      const v = await call<{ ok: boolean }>('GET', `/v1/envelopes/${id}/audit/verify`, { key });
      expect(v.body.ok, `${id}: ${JSON.stringify(v.body)}`).toBe(true);
    }
    const trail = await call<{ events: { action: string }[] }>('GET', `/v1/envelopes/${voided.id}/audit`, { key });
    expect(JSON.stringify(trail.body)).not.toMatch(new RegExp(`${email}|${person.id}|NGUYỄN|${phone.slice(1)}`, 'i'));
    expect(trail.body.events.at(-1)?.action).toBe('data_subject.erased');
    const after = await call<{ recipients: { name: string; email: string }[] }>('GET', `/v1/envelopes/${voided.id}`, { key });
    expect(after.body.recipients[0]).toMatchObject({ name: '[đã xóa]', email: '' });
    const keptEnvelope = await call<{ recipients: { email: string }[] }>('GET', `/v1/envelopes/${signed.id}`, { key });
    expect(keptEnvelope.body.recipients[0]?.email).toBe(email);
    const theirsAfter = await call<{ recipients: { email: string }[] }>('GET', `/v1/envelopes/${theirs.body.id}`, { key: other.apiKey });
    expect(theirsAfter.body.recipients[0]?.email).toBe(email);

    // A retry answers the same (the erased envelope is found by the subject's commitment) and changes nothing more.
    const again = await erase();
    expect(again.body.envelopes.map((e) => [e.envelopeId, e.action]).sort()).toEqual(
      erased.body.envelopes.map((e) => [e.envelopeId, e.action]).sort(),
    );
    expect(again.body.envelopes.find((e) => e.envelopeId === voided.id)?.erased.auditEvents).toBe(0);
    expect((await call<{ ok: boolean }>('GET', `/v1/envelopes/${voided.id}/audit/verify`, { key })).body.ok).toBe(true);

    // Every request is listed with its acknowledgement deadline; the other tenant sees none of them.
    const list = await call<{ items: Request[] }>('GET', '/v1/data-subjects/requests', { key });
    expect(list.status).toBe(200);
    expect(list.body.items.map((r) => r.kind)).toEqual(['erase', 'erase', 'export', 'access', 'access', 'access']);
    for (const r of list.body.items) {
      expect(r.acknowledgedInTime).toBe(true);
      const due = Date.parse(r.acknowledgementDue);
      expect(due - Date.parse(r.receivedAt)).toBeGreaterThan(2 * 86_400_000 - 7 * 3_600_000); // at least two days, Mon–Fri
      expect(new Date(due + 7 * 3_600_000).getUTCDay()).not.toBeOneOf([0, 6]);
    }
    const emailCommitments = new Set(list.body.items.filter((r) => r.subject.kind === 'email').map((r) => r.subject.commitment));
    expect(emailCommitments.size).toBe(1); // one person, one commitment, no identifier
    expect(JSON.stringify(list.body)).not.toContain(email);
    const otherList = await call<{ items: Request[] }>('GET', '/v1/data-subjects/requests', { key: other.apiKey });
    expect(otherList.body.items.map((r) => r.kind)).toEqual(['access']);
  });

  it('keeps a completed envelope under legal hold with both reasons and one still out for signing, and touches nothing of them', async () => {
    const { apiKey: key } = await createTenant('Công ty Phong Toả');
    const email = uniqueEmail('hold');
    const env = await createAndSend(key, [{ name: 'Lê Thị Hoa', email }]);
    expect((await signWith(await latestLinkToken(email), 'Lê Thị Hoa')).status).toBe(200);
    await outboxDrained();
    expect((await call('POST', `/v1/envelopes/${env.id}/legal-hold`, { key, json: { reason: 'Tranh chấp 12/2026' } })).status).toBe(200);
    const open = await createAndSend(key, [{ name: 'Lê Thị Hoa', email }]); // still out for signing
    const r = await call<{ envelopes: Erasure[] }>('POST', '/v1/data-subjects/erase', { key, json: { email } });
    expect(r.status).toBe(200);
    expect(r.body.envelopes).toHaveLength(2);
    const held = r.body.envelopes.find((e) => e.envelopeId === env.id);
    expect(held?.action).toBe('kept');
    expect(held?.kept.map((k) => k.code)).toEqual(['legal_hold', 'retention']);
    expect(held?.kept[0]?.message.en).toContain('Tranh chấp 12/2026');
    const inProgress = r.body.envelopes.find((e) => e.envelopeId === open.id);
    expect(inProgress).toMatchObject({ action: 'kept', erased: { recipients: 0, documents: 0 } });
    expect(inProgress?.kept.map((k) => k.code)).toEqual(['in_progress']);
    expect((await call<{ recipients: { email: string }[] }>('GET', `/v1/envelopes/${open.id}`, { key })).body.recipients[0]?.email).toBe(
      email,
    );
    expect((await call<{ ok: boolean }>('GET', `/v1/envelopes/${env.id}/audit/verify`, { key })).body.ok).toBe(true);
  });

  it.each([
    ['no identifier', '/v1/data-subjects', undefined, 'invalid_subject'],
    ['two identifiers', '/v1/data-subjects?email=a%40example.vn&phone=0912345678', undefined, 'invalid_subject'],
    ['not an email', '/v1/data-subjects?email=an-at-example', undefined, 'invalid_subject'],
    ['not a mobile', '/v1/data-subjects?phone=0241234567', undefined, 'invalid_phone'],
    ['not a CCCD', '/v1/data-subjects?idNumber=12345', undefined, 'invalid_id_number'],
    ['erase with two', '/v1/data-subjects/erase', { email: 'a@example.vn', idNumber: '079099001234' }, 'invalid_subject'],
    ['export with an unknown key', '/v1/data-subjects/export', { name: 'An' }, 'validation_failed'],
  ])('%s → 400 %s', async (_what, path, json, code) => {
    const { apiKey: key } = await createTenant('Công ty Sai');
    const r = await call<ErrorBody>(json ? 'POST' : 'GET', path, { key, ...(json ? { json } : {}) });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe(code);
    expect((await call<{ items: unknown[] }>('GET', '/v1/data-subjects/requests', { key })).body.items).toEqual([]);
  });

  it('needs an API key', async () => {
    expect((await call<ErrorBody>('GET', '/v1/data-subjects?email=a%40example.vn')).status).toBe(401);
    expect((await call<ErrorBody>('POST', '/v1/data-subjects/erase', { json: { email: 'a@example.vn' } })).status).toBe(401);
  });

  it('the console asks as its user (recorded as such) and lists the requests; its page links to them in Vietnamese and English', async () => {
    const tenant = await createTenant('Công ty Bảng Điều Khiển');
    const email = uniqueEmail('hr-ds');
    const password = 'mật khẩu đủ dài 123';
    const user = await call('POST', `/admin/tenants/${tenant.tenantId}/users`, {
      key: inject('adminKey'),
      json: { email, name: 'Phòng Nhân sự', password },
    });
    expect(user.status).toBe(201);
    // The user is the tenant's admin (personal-data requests are admin-only): password, then TOTP enrolment.
    const { cookie, csrfToken } = await consoleSignIn(email, password);
    const asked = await call<Found>('GET', '/app/api/data-subjects?phone=0912345678', { headers: { cookie } });
    expect(asked.status).toBe(200);
    expect(asked.body.request.requestedBy.type).toBe('console-user');
    const erase = await call<{ request: Request }>('POST', '/app/api/data-subjects/erase', {
      headers: { cookie, 'x-csrf-token': csrfToken },
      json: { phone: '0912345678' },
    });
    expect(erase.status).toBe(200);
    const noCsrf = await call<ErrorBody>('POST', '/app/api/data-subjects/erase', { headers: { cookie }, json: { phone: '0912345678' } });
    expect(noCsrf.status).toBe(403);
    const list = await call<{ items: Request[] }>('GET', '/app/api/data-subjects/requests', { headers: { cookie } });
    expect(list.body.items.map((r) => [r.kind, r.requestedBy.type])).toEqual([
      ['erase', 'console-user'],
      ['access', 'console-user'],
    ]);
    const vi = await call<string>('GET', '/app');
    expect(vi.body).toContain('href="#/data-subjects">Dữ liệu cá nhân</a>');
    const en = await call<string>('GET', '/app?lang=en');
    expect(en.body).toContain('href="#/data-subjects">Personal data</a>');
    expect(en.body).toContain('Acknowledge by the end of the second working day');
    const script = await call<string>('GET', '/app/assets/data-subjects.js');
    expect(script.status).toBe(200);
    expect(script.body).toContain('export async function showDataSubjects');
  });
});
