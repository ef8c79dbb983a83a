import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KYSO_ONE_TIME_POLICY } from '../../shared/pki/platform-pki.js';
import { call } from '../support/api.js';
import { extractSignatures, parseSignedData } from '../support/pdf-inspect.js';
import { runPdfsig, withTempDir } from '../support/validators.js';
import { createAndSend, devKey, getEnvelope, latestLinkToken, signWith, workflowJson } from '../support/workflow.js';

/** The signer certificate of a CMS (the one its SignerInfo names: the first certificate we embed). */
const signerCertificateDer = (cms: Uint8Array): Uint8Array => {
  const sd = parseSignedData(cms);
  const first = sd.certificates?.[0];
  if (!first || !('subjectPublicKeyInfo' in first)) throw new Error('no certificate in the CMS');
  return new Uint8Array(first.toSchema().toBER(false));
};

/** openssl's own reading of a certificate: its SubjectPublicKeyInfo (PEM) and the text dump. */
const opensslView = (dir: string, der: Uint8Array, i: number) => {
  const file = join(dir, `cert${i}.der`);
  writeFileSync(file, der);
  const spki = execFileSync('openssl', ['x509', '-inform', 'DER', '-in', file, '-noout', '-pubkey'], { encoding: 'utf8' });
  const text = execFileSync('openssl', ['x509', '-inform', 'DER', '-in', file, '-noout', '-text', '-nameopt', 'utf8'], {
    encoding: 'utf8',
  });
  return { spki, text };
};

describe('a key of the signer’s own (issue 11, part 1)', () => {
  it('three signers: four signatures, four different public keys (openssl), one-time policy, all valid and trusted', async () => {
    const key = devKey();
    const people = [
      { name: 'Nguyễn Văn An', email: `an.${Date.now()}@example.vn` },
      { name: 'Trần Thị Bình', email: `binh.${Date.now()}@example.vn` },
      { name: 'Lê Văn Cường', email: `cuong.${Date.now()}@example.vn` },
    ];
    const env = await createAndSend(key, people);
    for (const p of people) {
      const r = await signWith(await latestLinkToken(p.email), p.name);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
    }
    const final = await getEnvelope(key, env.id);
    expect(final.body.status).toBe('completed');
    const pdf = (await call<Uint8Array>('GET', `/v1/envelopes/${env.id}/documents/${final.body.documents[0]?.id}`, { key })).body;

    // The audit trail names each one-time certificate (serial, key hash) and says its key is gone.
    const audit = await call<{ events: { action: string; data?: Record<string, unknown> }[] }>('GET', `/v1/envelopes/${env.id}/audit`, {
      key,
    });
    const signed = audit.body.events.filter((e) => e.action === 'recipient.signed');
    expect(signed).toHaveLength(3);
    const certs = signed.map((e) => e.data?.certificate as { publicKeySha256: string; oneTime: boolean; keyDestroyed: boolean });
    expect(certs.every((c) => c.oneTime && c.keyDestroyed)).toBe(true);
    expect(new Set(certs.map((c) => c.publicKeySha256)).size).toBe(3);
    const root = (await call<string>('GET', '/pki/root.pem')).body;

    const cades = extractSignatures(pdf).filter((s) => s.subFilter === 'ETSI.CAdES.detached');
    expect(cades).toHaveLength(4); // the certification at send + three signers
    const views = withTempDir((dir) => cades.map((s, i) => opensslView(dir, signerCertificateDer(s.cms), i)));
    // No two signatures share a SubjectPublicKeyInfo; none shares the certification's.
    expect(new Set(views.map((v) => v.spki)).size).toBe(4);
    const [certification, ...signers] = views;
    expect(certification?.text).not.toContain(KYSO_ONE_TIME_POLICY);
    signers.forEach((v, i) => {
      expect(v.text).toContain(`Policy: ${KYSO_ONE_TIME_POLICY}`);
      expect(v.text).toContain('One-time certificate issued after the identification recorded in the audit trail');
      expect(v.text).toContain(`email:${people[i]?.email}`);
      expect(v.text).toMatch(new RegExp(`Subject:.*CN ?= ?${people[i]?.name}`));
      expect(v.text).toContain('ASN1 OID: prime256v1');
    });

    const sig = runPdfsig(pdf, [root]);
    const approvals = sig.signatures.filter((s) => s.subFilter === 'ETSI.CAdES.detached');
    expect(approvals).toHaveLength(4);
    for (const s of approvals) expect(s.valid && s.trusted, s.raw).toBe(true);
    expect(approvals.slice(1).map((s) => s.signerName)).toEqual(people.map((p) => p.name));
  });
});

describe('signatureLevel "digital" (issue 11, part 2)', () => {
  it('refuses the platform one-time certificate with 403 digital_signature_required and says so to the page', async () => {
    const key = devKey();
    const who = { name: 'Phạm Minh Tuấn', email: `tuan.${Date.now()}@example.vn` };
    const body = workflowJson([who]);
    (body.recipients[0] as Record<string, unknown>).signatureLevel = 'digital';
    const created = await call<{ id: string; recipients: { signatureLevel: string }[] }>('POST', '/v1/envelopes', { key, json: body });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.recipients[0]?.signatureLevel).toBe('digital');
    expect((await call('POST', `/v1/envelopes/${created.body.id}/send`, { key })).status).toBe(200);
    const token = await latestLinkToken(who.email);
    const view = await call<{ recipient: { signatureLevel: string } }>('GET', `/v1/sign/${token}`);
    expect(view.body.recipient.signatureLevel).toBe('digital');
    const refused = await signWith(token, who.name);
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('digital_signature_required');
    expect(refused.body.error.message).toContain('USB token');
    expect((await getEnvelope(key, created.body.id)).body.recipients[0]?.status).not.toBe('signed');

    const approver = workflowJson([{ name: 'Kế toán', email: `kt.${Date.now()}@example.vn`, role: 'approver' }]);
    (approver.recipients[0] as Record<string, unknown>).signatureLevel = 'digital';
    const bad = await call<{ error: { code: string } }>('POST', '/v1/envelopes', { key, json: approver });
    expect([bad.status, bad.body.error.code]).toEqual([400, 'validation_failed']);
  });
});
