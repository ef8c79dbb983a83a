import { AppError } from '../errors.js';
import { parseCertificate } from '../pki/certificate.js';
import { CertificatePathError, checkCertificatePath, commonNameOf, keyUsageOf, publicKeyOf } from '../pki/certificate-path.js';
import { createCsr, sealSubjectName } from '../pki/csr.js';
import type { SealKey, SealKeys } from './ports.js';

const sealKeyOrThrow = async (keys: SealKeys, tenantId: string): Promise<SealKey> => {
  const key = await keys.key(tenantId);
  if (!key) throw new AppError('not_found', 'This tenant has no seal key yet: POST /v1/seal first.');
  return key;
};

/**
 * The PKCS#10 request a tenant sends to its CA (VNPT-CA, Viettel-CA, ...): subject C=VN,
 * O and CN = the company name, UID = "MST:<tax code>", public key of the KMS seal key,
 * signed through KMS (proof of possession without the key leaving KMS).
 */
export const createSealCsr = async (keys: SealKeys, tenantId: string): Promise<Uint8Array> => {
  const key = await sealKeyOrThrow(keys, tenantId);
  return createCsr(sealSubjectName({ companyName: key.organization, taxCode: key.taxCode }), key.signer);
};

/**
 * Installs the certificate chain the CA returned for the seal's CSR. Accepted only if one
 * certificate carries exactly the seal key's public key, may sign (digitalSignature or
 * nonRepudiation, not a CA), and chains to a trusted root now. The path we validated (not
 * whatever order was uploaded) is stored and embedded in every seal signature.
 */
export const installSealCertificate = async (
  keys: SealKeys,
  trustAnchors: readonly Uint8Array[],
  tenantId: string,
  uploaded: readonly Uint8Array[],
  now: Date,
): Promise<{ certificate: Uint8Array; chain: readonly Uint8Array[]; subject: string; notAfter: string }> => {
  const key = await sealKeyOrThrow(keys, tenantId);
  if (!uploaded.length) throw new AppError('validation_failed', 'Send the certificate chain as PEM.');
  const spki = Buffer.from(await key.signer.publicKey());
  let certificate: Uint8Array | undefined;
  try {
    certificate = uploaded.find((c) => Buffer.from(publicKeyOf(c)).equals(spki));
  } catch {
    throw new AppError('certificate_rejected', 'The upload holds something that is not an X.509 certificate.');
  }
  if (!certificate)
    throw new AppError(
      'certificate_rejected',
      "No uploaded certificate carries the seal key's public key (was it issued for this tenant's CSR?).",
    );
  const ku = keyUsageOf(certificate);
  if (ku && !ku.has('digitalSignature') && !ku.has('nonRepudiation')) {
    throw new AppError('certificate_rejected', 'The seal certificate does not allow signing (key usage).');
  }
  let path: readonly Uint8Array[];
  try {
    path = checkCertificatePath({
      certificate,
      intermediates: uploaded.filter((c) => c !== certificate),
      anchors: trustAnchors,
      at: now,
    }).path;
  } catch (e) {
    if (e instanceof CertificatePathError) throw new AppError('certificate_rejected', `The seal certificate was rejected: ${e.message}.`);
    throw e;
  }
  const chain = path.slice(1);
  await keys.installCertificate(tenantId, key.keyId, certificate, chain);
  return { certificate, chain, subject: commonNameOf(certificate), notAfter: parseCertificate(certificate).notAfter.value.toISOString() };
};
