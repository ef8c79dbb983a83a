import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ListObjectVersionsCommand } from '@aws-sdk/client-s3';
import { describe, expect, inject, it } from 'vitest';
import { call, createTenant, envelopeJson, fixture, latestLinkToken, outboxDrained, uniqueEmail } from '../support/api.js';
import { TEST_BUCKET as Bucket, localS3 } from '../support/aws.js';
import { extractSignatures } from '../support/pdf-inspect.js';
import { qpdfCheck, runPdfsig, withTempDir } from '../support/validators.js';

describe('certificate of completion', () => {
  it('is refused before completion, then is a sealed Vietnamese/English PDF with hashes, recipients and the audit trail', async () => {
    const key = inject('devApiKey');
    const email = uniqueEmail('cert');
    const name = 'Lý Thị Thanh Hương';
    const created = await call<{ id: string }>('POST', '/v1/envelopes', {
      key,
      json: envelopeJson({ pdf: fixture('hop-dong-dien.pdf'), signers: [{ name, email }] }),
    });
    const id = created.body.id;
    await call('POST', `/v1/envelopes/${id}/send`, { key });
    const early = await call<{ error: { code: string } }>('GET', `/v1/envelopes/${id}/certificate`, { key });
    expect(early.status).toBe(409);
    expect(early.body.error.code).toBe('invalid_state');

    const token = await latestLinkToken(email);
    expect((await call('POST', `/v1/sign/${token}`, { json: { signature: { type: 'typed', value: name } } })).status).toBe(200);
    const env = await call<{ documents: { sha256: string; originalSha256: string }[] }>('GET', `/v1/envelopes/${id}`, { key });

    // Completion's audit events (notices, the signed head) come from the outbox: the certificate is of the finished trail.
    await outboxDrained();
    const cert = await call<Uint8Array>('GET', `/v1/envelopes/${id}/certificate`, { key });
    expect(cert.status).toBe(200);
    expect(cert.headers.get('content-type')).toBe('application/pdf');
    const again = await call<Uint8Array>('GET', `/v1/envelopes/${id}/certificate`, { key });
    expect(Buffer.from(again.body).equals(Buffer.from(cert.body))).toBe(true);
    // the signer gets the same certificate through their link
    const forSigner = await call<Uint8Array>('GET', `/v1/sign/${token}/certificate`);
    expect(forSigner.status).toBe(200);
    expect(Buffer.from(forSigner.body).equals(Buffer.from(cert.body))).toBe(true);

    const root = (await call<string>('GET', '/pki/root.pem')).body;
    const sig = runPdfsig(cert.body, [root]);
    expect(sig.signatures[0]?.valid && sig.signatures[0]?.trusted, sig.output).toBe(true);
    expect(extractSignatures(cert.body).map((s) => s.subFilter)).toEqual(['ETSI.CAdES.detached', 'ETSI.RFC3161']);
    expect(qpdfCheck(cert.body).ok).toBe(true);

    const text = withTempDir((dir) => {
      writeFileSync(join(dir, 'c.pdf'), cert.body);
      return execFileSync('pdftotext', ['-layout', join(dir, 'c.pdf'), '-'], { encoding: 'utf8' });
    }).replace(/\s+/g, ' ');
    expect(text).toContain('CHỨNG NHẬN HOÀN TẤT');
    expect(text).toContain('Certificate of completion');
    expect(text).toContain(name);
    expect(text).toContain(email);
    expect(text).toContain('Liên kết qua email / Email link');
    for (const d of env.body.documents) {
      // hashes may wrap; compare without spaces
      expect(text.replace(/ /g, '')).toContain(d.originalSha256);
      expect(text.replace(/ /g, '')).toContain(d.sha256);
    }
    expect(text).toContain('Ký / Signed');
    expect(text).toContain('Hoàn tất / Completed');
    expect(text).toContain(`/verify?envelope=${id}`);
  });

  it('asked for twice at once, is rendered by both but stored once: both answers are the same bytes, one S3 version', async () => {
    const tenant = await createTenant('Công ty Hai Lần');
    const key = tenant.apiKey;
    const created = await call<{ id: string }>('POST', '/v1/envelopes', {
      key,
      json: envelopeJson({ pdf: fixture('hop-dong-dien.pdf'), signers: [{ name: 'Đỗ Văn Đồng', email: uniqueEmail('cert2') }] }),
    });
    const id = created.body.id;
    expect((await call('POST', `/v1/envelopes/${id}/send`, { key })).status).toBe(200);
    // Voided: final, so it has a certificate, and not completed, so no archive effect renders one first.
    expect((await call('POST', `/v1/envelopes/${id}/void`, { key, json: { reason: 'Gửi nhầm' } })).status).toBe(200);
    await outboxDrained();
    const [a, b] = await Promise.all([0, 1].map(() => call<Uint8Array>('GET', `/v1/envelopes/${id}/certificate`, { key })));
    expect([a?.status, b?.status]).toEqual([200, 200]);
    expect(Buffer.from(a?.body as Uint8Array).equals(Buffer.from(b?.body as Uint8Array))).toBe(true);
    const versions = await localS3().send(
      new ListObjectVersionsCommand({ Bucket, Prefix: `tenants/${tenant.tenantId}/envelopes/${id}/certificate/` }),
    );
    expect(versions.Versions?.length).toBe(1);
  });
});
