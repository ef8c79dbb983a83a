import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { toPem } from '../../../shared/pki/certificate.js';
import type { KeySpec } from '../../../shared/pki/key-signer.js';
import { answerTimestampQuery, createTimestampToken, KYSO_TSA_POLICY } from '../../../shared/pki/timestamp.js';
import { sha256 } from '../../../shared/util/bytes.js';
import { inTempDir, openssl } from './openssl.js';
import { createTestHierarchy, fixedClock, type TestHierarchy } from './pki-fixture.js';

/** Our TSA judged by openssl: its queries in, our replies out, `openssl ts -verify` decides. */
describe.each<KeySpec>(['ECC_NIST_P256', 'RSA_2048'])('TSA with %s keys, checked by openssl ts', (spec) => {
  let h: TestHierarchy;
  beforeAll(async () => {
    h = await createTestHierarchy(spec);
  });

  const writeTrust = (dir: string) => {
    writeFileSync(join(dir, 'root.pem'), toPem(h.rootCertificate));
    writeFileSync(join(dir, 'issuing.pem'), toPem(h.issuingCertificate));
    writeFileSync(join(dir, 'data.txt'), 'Hợp đồng lao động — labour contract, revision 3\n');
  };

  it.each(['sha256', 'sha384', 'sha512'])('answers an openssl %s query with a reply openssl verifies', async (hash) => {
    await inTempDir(async (dir) => {
      writeTrust(dir);
      const query = openssl(['ts', '-query', '-data', 'data.txt', `-${hash}`, '-cert', '-out', 'q.tsq'], dir);
      expect(query.ok, query.output).toBe(true);

      const answer = await answerTimestampQuery(
        new Uint8Array(readFileSync(join(dir, 'q.tsq'))),
        h.tsa,
        fixedClock('2026-03-01T08:30:00.250Z'),
      );
      expect(answer.status).toBe('granted');
      writeFileSync(join(dir, 'r.tsr'), answer.response);

      const text = openssl(['ts', '-reply', '-in', 'r.tsr', '-text'], dir);
      expect(text.ok, text.output).toBe(true);
      expect(text.output).toContain('Status: Granted.');
      expect(text.output).toContain(`Policy OID: ${KYSO_TSA_POLICY}`);
      expect(text.output).toContain(`Hash Algorithm: ${hash}`);
      expect(text.output).toContain('Time stamp: Mar  1 08:30:00.25 2026 GMT');
      expect(text.output).toContain('Accuracy: 0x01 seconds');
      expect(text.output).toMatch(/Nonce: 0x[0-9A-F]+/);
      expect(text.output).toContain('CN=Test TSA');

      // The token carries the issuing CA, so the root alone is enough trust.
      const verify = openssl(['ts', '-verify', '-in', 'r.tsr', '-data', 'data.txt', '-CAfile', 'root.pem'], dir);
      expect(verify.output).toContain('Verification: OK');
      // openssl also checks the nonce and imprint against the query itself.
      const againstQuery = openssl(['ts', '-verify', '-in', 'r.tsr', '-queryfile', 'q.tsq', '-CAfile', 'root.pem'], dir);
      expect(againstQuery.output).toContain('Verification: OK');
    });
  });

  it('answers a query without certReq with a token that verifies given the chain', async () => {
    await inTempDir(async (dir) => {
      writeTrust(dir);
      writeFileSync(join(dir, 'untrusted.pem'), toPem(h.tsa.certificate) + toPem(h.issuingCertificate));
      expect(openssl(['ts', '-query', '-data', 'data.txt', '-sha256', '-out', 'q.tsq'], dir).ok).toBe(true);
      const answer = await answerTimestampQuery(
        new Uint8Array(readFileSync(join(dir, 'q.tsq'))),
        h.tsa,
        fixedClock('2026-03-01T08:30:00Z'),
      );
      writeFileSync(join(dir, 'r.tsr'), answer.response);
      expect(openssl(['ts', '-reply', '-in', 'r.tsr', '-text'], dir).output).toContain('Status: Granted.');
      const verify = openssl(
        ['ts', '-verify', '-in', 'r.tsr', '-data', 'data.txt', '-CAfile', 'root.pem', '-untrusted', 'untrusted.pem'],
        dir,
      );
      // Without the certificates openssl cannot find the signer: proof that none were embedded.
      const bare = openssl(['ts', '-verify', '-in', 'r.tsr', '-data', 'data.txt', '-CAfile', 'root.pem'], dir);
      expect(bare.output).not.toContain('Verification: OK');
      expect(verify.output).toContain('Verification: OK');
    });
  });

  it('creates a bare token over a digest (the PAdES path) that openssl verifies', async () => {
    await inTempDir(async (dir) => {
      writeTrust(dir);
      const digest = sha256(readFileSync(join(dir, 'data.txt')));
      const token = await createTimestampToken({ digest, hashAlgorithm: 'SHA-256', tsa: h.tsa, clock: fixedClock('2026-03-01T08:30:00Z') });
      writeFileSync(join(dir, 'token.der'), token);
      const verify = openssl(
        ['ts', '-verify', '-token_in', '-in', 'token.der', '-digest', Buffer.from(digest).toString('hex'), '-CAfile', 'root.pem'],
        dir,
      );
      expect(verify.output).toContain('Verification: OK');
      // The token is also a plain CMS SignedData that openssl cms can check, signer and chain included.
      const cms = openssl(
        ['cms', '-verify', '-inform', 'DER', '-in', 'token.der', '-CAfile', 'root.pem', '-purpose', 'timestampsign', '-out', 'tst.der'],
        dir,
      );
      expect(cms.output).toContain('Verification successful');
    });
  });

  it('is rejected by openssl for other data', async () => {
    await inTempDir(async (dir) => {
      writeTrust(dir);
      expect(openssl(['ts', '-query', '-data', 'data.txt', '-sha256', '-cert', '-out', 'q.tsq'], dir).ok).toBe(true);
      const answer = await answerTimestampQuery(
        new Uint8Array(readFileSync(join(dir, 'q.tsq'))),
        h.tsa,
        fixedClock('2026-03-01T08:30:00Z'),
      );
      writeFileSync(join(dir, 'r.tsr'), answer.response);
      writeFileSync(join(dir, 'other.txt'), 'another contract\n');
      const verify = openssl(['ts', '-verify', '-in', 'r.tsr', '-data', 'other.txt', '-CAfile', 'root.pem'], dir);
      expect(verify.output).not.toContain('Verification: OK');
      expect(verify.output).toMatch(/message imprint mismatch/i);
    });
  });
});
