import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture } from '../support/api.js';
import { extractSignatures, parseSignedData } from '../support/pdf-inspect.js';
import { type RunningServer, serverApi, startServer } from '../support/start-server.js';
import { runPdfsig, withTempDir } from '../support/validators.js';

/** A deployment whose KMS keys are RSA 3072 (KYSO_KEY_SPEC), on its own local AWS endpoint. */
describe('a deployment with RSA 3072 keys', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ KYSO_KEY_SPEC: 'RSA_3072' });
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
  });

  it('issues RSA 3072 certificates and signs with sha256WithRSAEncryption; pdfsig validates the chain', async () => {
    const api = async (method: string, path: string, json?: unknown, auth = true) =>
      (await serverApi(server)<unknown>(method, path, json, auth)).body;
    const email = 'rsa.signer@example.vn';
    const env = (await api('POST', '/v1/envelopes', {
      title: 'Hợp đồng dịch vụ viễn thông',
      documents: [{ name: 'hd.pdf', contentBase64: Buffer.from(fixture('hop-dong-dien.pdf')).toString('base64') }],
      recipients: [{ name: 'Đinh Công Tráng', email, order: 1 }],
      fields: [{ recipient: 0, document: 0, type: 'signature', page: 1, x: 72, y: 650, width: 180, height: 60 }],
    })) as { id: string; documents: { id: string }[] };
    await api('POST', `/v1/envelopes/${env.id}/send`);
    const mail = (await api('GET', `/dev/mail?to=${encodeURIComponent(email)}`, undefined, false)) as {
      messages: { to: string; text: string }[];
    };
    const token = /\/s\/(\S+)/.exec(mail.messages.find((m) => m.to === email)?.text ?? '')?.[1];
    await api('POST', `/v1/sign/${token}`, { signature: { type: 'typed', value: 'Đinh Công Tráng' } }, false);
    const pdf = (await api('GET', `/v1/envelopes/${env.id}/documents/${env.documents[0]?.id}`)) as Uint8Array;
    const root = new TextDecoder().decode((await api('GET', '/pki/root.pem', undefined, false)) as Uint8Array);

    const sig = runPdfsig(pdf, [root]);
    const approvals = sig.signatures.filter((s) => s.subFilter === 'ETSI.CAdES.detached');
    expect(approvals, sig.output).toHaveLength(2);
    for (const s of approvals) expect(s.valid && s.trusted, s.raw).toBe(true);
    // The certification is signed by the platform's RSA key; the signer's signature by their
    // one-time P-256 key (ADR 0011) under the RSA issuing CA.
    const [certification, signer] = extractSignatures(pdf).map((s) => parseSignedData(s.cms));
    expect(certification?.signerInfos[0]?.signatureAlgorithm.algorithmId).toBe('1.2.840.113549.1.1.11');
    expect(signer?.signerInfos[0]?.signatureAlgorithm.algorithmId).toBe('1.2.840.10045.4.3.2');
    withTempDir((dir) => {
      writeFileSync(join(dir, 'root.pem'), root);
      const text = execFileSync('openssl', ['x509', '-in', 'root.pem', '-noout', '-text'], { cwd: dir, encoding: 'utf8' });
      expect(text).toContain('Public-Key: (3072 bit)');
      expect(text).toContain('sha256WithRSAEncryption');
    });
  });
});
