import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import type { SignatureAlgorithm } from './key-signer.js';
import { OID } from './oids.js';

export const sha256AlgorithmIdentifier = (): pkijs.AlgorithmIdentifier => new pkijs.AlgorithmIdentifier({ algorithmId: OID.sha256 });

/** AlgorithmIdentifier of a signature value: ECDSA without parameters, RSA with NULL. */
export const signatureAlgorithmIdentifier = (alg: SignatureAlgorithm): pkijs.AlgorithmIdentifier =>
  alg === 'ECDSA_SHA_256'
    ? new pkijs.AlgorithmIdentifier({ algorithmId: OID.ecdsaWithSha256 })
    : new pkijs.AlgorithmIdentifier({ algorithmId: OID.sha256WithRsa, algorithmParams: new asn1js.Null() });

const SIGNATURE_ALGORITHM_DER = {
  ECDSA_SHA_256: new Uint8Array(signatureAlgorithmIdentifier('ECDSA_SHA_256').toSchema().toBER(false)),
  RSASSA_PKCS1_V1_5_SHA_256: new Uint8Array(signatureAlgorithmIdentifier('RSASSA_PKCS1_V1_5_SHA_256').toSchema().toBER(false)),
} satisfies Record<SignatureAlgorithm, Uint8Array>;

/** signatureAlgorithmIdentifier(alg), DER, encoded once. */
export const signatureAlgorithmDer = (alg: SignatureAlgorithm): Uint8Array =>
  alg === 'ECDSA_SHA_256' ? SIGNATURE_ALGORITHM_DER.ECDSA_SHA_256 : SIGNATURE_ALGORITHM_DER.RSASSA_PKCS1_V1_5_SHA_256;
