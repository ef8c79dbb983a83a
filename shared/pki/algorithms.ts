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
