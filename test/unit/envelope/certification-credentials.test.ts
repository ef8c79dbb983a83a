import { describe, expect, it } from 'vitest';
import { CERTIFICATION_CREDENTIALS_TTL_MS, certificationCredentials } from '../../../shared/envelope/certify-documents.js';
import type { PlatformPki, SignerCredentials } from '../../../shared/pki/platform-pki.js';

/** A PKI that counts how often a certification certificate is issued (each issue is one KMS Sign). */
const countingPki = () => {
  const issued: string[] = [];
  const pki = {
    credentialsFor: async (subject: { name: string }) => {
      issued.push(subject.name);
      if (subject.name.startsWith('Fails')) throw new Error('KMS throttled');
      return { certificate: { subject: subject.name } } as unknown as SignerCredentials;
    },
  } as unknown as PlatformPki;
  return { pki, issued };
};

describe('the certification certificate of a sender is issued once per hour per process, not per envelope', () => {
  it('reuses it for the same sender, and issues anew for another name, after the hour, or on an earlier clock', async () => {
    const { pki, issued } = countingPki();
    const t0 = new Date('2026-12-02T08:00:00Z');
    const first = await certificationCredentials(pki, 'Công ty Điện lực', t0);
    const again = await certificationCredentials(pki, 'Công ty Điện lực', new Date(t0.getTime() + 59 * 60_000));
    expect(again).toBe(first);
    expect(issued).toEqual(['Công ty Điện lực (qua Kyso / via Kyso)']);
    await certificationCredentials(pki, 'Công ty Nước', t0);
    expect(issued).toHaveLength(2);
    const later = await certificationCredentials(pki, 'Công ty Điện lực', new Date(t0.getTime() + CERTIFICATION_CREDENTIALS_TTL_MS));
    expect(later).not.toBe(first);
    // A clock before the issue (a sweep run "as of" an earlier time): the certificate must not postdate the signature.
    await certificationCredentials(pki, 'Công ty Điện lực', new Date(t0.getTime() - 60_000));
    expect(issued).toHaveLength(4);
    // Another deployment's PKI (a second composition root) never shares one.
    const other = countingPki();
    await certificationCredentials(other.pki, 'Công ty Nước', t0);
    expect(other.issued).toHaveLength(1);
  });

  it('does not keep a failed issue', async () => {
    const { pki, issued } = countingPki();
    const t0 = new Date('2026-12-02T08:00:00Z');
    await expect(certificationCredentials(pki, 'Fails once', t0)).rejects.toThrow('KMS throttled');
    await expect(certificationCredentials(pki, 'Fails once', t0)).rejects.toThrow('KMS throttled');
    expect(issued).toHaveLength(2);
  });
});
