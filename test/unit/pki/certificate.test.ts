import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { toPem } from '../../../shared/pki/certificate.js';
import type { KeySpec } from '../../../shared/pki/key-signer.js';
import { createTestPki } from '../../support/test-pki.js';
import { withTempDir } from '../../support/validators.js';

describe.each<KeySpec>(['ECC_NIST_P256', 'RSA_2048', 'RSA_3072'])('certificates issued through a KeySigner (%s)', (spec) => {
  it('chain to the root in openssl, with one attribute per RDN and Vietnamese names intact', async () => {
    const pki = await createTestPki(spec);
    const leaf = await pki.issueSigner('Nguyễn Văn An');
    withTempDir((dir) => {
      writeFileSync(join(dir, 'leaf.pem'), toPem(leaf));
      writeFileSync(join(dir, 'root.pem'), pki.rootPem);
      writeFileSync(join(dir, 'ca.pem'), pki.caPem);
      const verify = execFileSync('openssl', ['verify', '-CAfile', 'root.pem', '-untrusted', 'ca.pem', 'leaf.pem'], {
        cwd: dir,
        encoding: 'utf8',
      });
      expect(verify.trim()).toBe('leaf.pem: OK');
      const subject = execFileSync('openssl', ['x509', '-in', 'leaf.pem', '-noout', '-subject', '-nameopt', 'utf8,sep_comma_plus_space'], {
        cwd: dir,
        encoding: 'utf8',
      });
      expect(subject.trim()).toBe('subject=C=VN, O=Kyso Test, CN=Nguyễn Văn An');
      const text = execFileSync('openssl', ['x509', '-in', 'leaf.pem', '-noout', '-ext', 'keyUsage,basicConstraints'], {
        cwd: dir,
        encoding: 'utf8',
      });
      expect(text).toContain('Digital Signature, Non Repudiation');
      expect(text).toContain('CA:FALSE');
    });
  });
});
