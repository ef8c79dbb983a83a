import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Outside validators: poppler's pdfsig (with our root in a throwaway NSS database) and qpdf. */

export interface PdfsigSignature {
  readonly index: number;
  readonly valid: boolean;
  readonly trusted: boolean;
  readonly subFilter?: string;
  readonly signerName?: string;
  readonly raw: string;
}

export const withTempDir = <T>(fn: (dir: string) => T): T => {
  const dir = mkdtempSync(join(tmpdir(), 'kyso-'));
  try {
    return fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

/** The text poppler's pdftotext extracts (UTF-8), whitespace collapsed. */
export const pdfToText = (pdf: Uint8Array): string =>
  withTempDir((dir) => {
    writeFileSync(join(dir, 'doc.pdf'), pdf);
    return execFileSync('pdftotext', ['-enc', 'UTF-8', join(dir, 'doc.pdf'), '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
  });

/** The text a reader gets out of the signature appearances (stamps): flattened into the pages by qpdf, then pdftotext. */
export const appearanceText = (pdf: Uint8Array): string =>
  withTempDir((dir) => {
    writeFileSync(join(dir, 'in.pdf'), pdf);
    execFileSync('qpdf', ['--flatten-annotations=all', join(dir, 'in.pdf'), join(dir, 'flat.pdf')]);
    return execFileSync('pdftotext', ['-enc', 'UTF-8', join(dir, 'flat.pdf'), '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
  });

export const runPdfsig = (pdf: Uint8Array, rootPems: readonly string[]): { signatures: PdfsigSignature[]; output: string } =>
  withTempDir((dir) => {
    const nss = join(dir, 'nss');
    execFileSync('mkdir', ['-p', nss]);
    execFileSync('certutil', ['-N', '-d', `sql:${nss}`, '--empty-password']);
    rootPems.forEach((pem, i) => {
      const file = join(dir, `root${i}.pem`);
      writeFileSync(file, pem);
      execFileSync('certutil', ['-A', '-d', `sql:${nss}`, '-n', `kyso-root-${i}`, '-t', 'CT,C,C', '-i', file]);
    });
    const file = join(dir, 'doc.pdf');
    writeFileSync(file, pdf);
    const r = spawnSync('pdfsig', ['-nssdir', `sql:${nss}`, file], { encoding: 'utf8' });
    const output = `${r.stdout}${r.stderr}`;
    const blocks = output.split(/^Signature #/m).slice(1);
    const signatures = blocks.map((b, i) => ({
      index: i + 1,
      valid: /Signature Validation: Signature is Valid\./.test(b),
      trusted: /Certificate Validation: Certificate is Trusted\./.test(b),
      subFilter: /Signature Type: (\S+)/.exec(b)?.[1],
      signerName: /Signer Certificate Common Name: (.*)/.exec(b)?.[1],
      raw: b,
    }));
    return { signatures, output };
  });

export const qpdfCheck = (pdf: Uint8Array): { ok: boolean; output: string } =>
  withTempDir((dir) => {
    const file = join(dir, 'doc.pdf');
    writeFileSync(file, pdf);
    const r = spawnSync('qpdf', ['--check', file], { encoding: 'utf8' });
    // exit 0 = clean, 3 = warnings; anything with WARNING is treated as not clean.
    const output = `${r.stdout}${r.stderr}`;
    return { ok: r.status === 0 && /No syntax or stream encoding errors found/.test(output) && !/WARNING/.test(output), output };
  });

/** `openssl cms -verify` of a detached DER CMS over `content` against a root (PEM); '' when it verifies. */
export const opensslCmsVerify = (cms: Uint8Array, content: Uint8Array, rootPem: string): string =>
  withTempDir((dir) => {
    writeFileSync(join(dir, 'c.der'), cms);
    writeFileSync(join(dir, 'content'), content);
    writeFileSync(join(dir, 'root.pem'), rootPem);
    const args = ['cms', '-verify', '-binary', '-inform', 'DER', '-in', join(dir, 'c.der'), '-content', join(dir, 'content')];
    return execFileSync('openssl', [...args, '-CAfile', join(dir, 'root.pem'), '-purpose', 'any', '-out', '/dev/null'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  });
