import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { toArrayBuffer } from '../util/bytes.js';
import { signatureAlgorithmIdentifier } from './algorithms.js';
import { keyIdentifier, parseCertificate } from './certificate.js';
import type { KeySigner } from './key-signer.js';
import { OID } from './oids.js';

const CRL_NUMBER = '2.5.29.20';
const CRL_REASON = '2.5.29.21';

/** CRLReason (RFC 5280 5.3.1); 7 is unused by the standard. */
export const REVOCATION_REASONS = {
  unspecified: 0,
  keyCompromise: 1,
  cACompromise: 2,
  affiliationChanged: 3,
  superseded: 4,
  cessationOfOperation: 5,
  certificateHold: 6,
  removeFromCRL: 8,
  privilegeWithdrawn: 9,
  aACompromise: 10,
} as const;

export interface RevokedEntry {
  /** Serial number of the revoked certificate: INTEGER content octets. */
  readonly serialNumber: Uint8Array;
  readonly revocationDate: Date;
  /** 'unspecified' is written as no reason code at all (RFC 5280 5.3.1). */
  readonly reason?: keyof typeof REVOCATION_REASONS;
}

export interface CreateCrlInput {
  /** The CA certificate, DER: its subject becomes the CRL issuer. */
  readonly caCertificate: Uint8Array;
  /** The CA's key (KMS in production); must be the key of `caCertificate`. */
  readonly caSigner: KeySigner;
  readonly thisUpdate: Date;
  /** Default thisUpdate + 7 days. */
  readonly nextUpdate?: Date;
  /** Must grow with every CRL this CA issues (RFC 5280 5.2.3). */
  readonly crlNumber: bigint;
  readonly revoked?: readonly RevokedEntry[];
}

export const CRL_VALIDITY_MS = 7 * 24 * 3600_000;

// RFC 5280 5.1.2.4: UTCTime through 2049, GeneralizedTime from 2050.
const timeOf = (d: Date) => new pkijs.Time({ type: d.getUTCFullYear() >= 2050 ? 1 : 0, value: d });

/** A non-negative bigint as a minimal DER INTEGER. */
const integerOf = (n: bigint): asn1js.Integer => {
  let hex = n.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  if (Number.parseInt(hex.slice(0, 2), 16) & 0x80) hex = `00${hex}`;
  return new asn1js.Integer({ valueHex: toArrayBuffer(new Uint8Array(Buffer.from(hex, 'hex'))) });
};

const extension = (extnID: string, value: asn1js.BaseBlock) =>
  new pkijs.Extension({ extnID, critical: false, extnValue: value.toBER(false) });

/**
 * Issues an X.509 v2 CRL (RFC 5280 5) signed by the CA key: authority key identifier and
 * CRL number extensions, revoked entries (absent when there are none, as 5.1.2.6 requires).
 * The TBSCertList is encoded here; only its bytes go to the key.
 */
export const createCrl = async (input: CreateCrlInput): Promise<Uint8Array> => {
  if (input.crlNumber < 0n) throw new Error('CRL number must not be negative');
  const ca = parseCertificate(input.caCertificate);
  const alg = signatureAlgorithmIdentifier(input.caSigner.algorithm);
  const revoked = input.revoked ?? [];
  const crl = new pkijs.CertificateRevocationList({
    version: 1,
    signature: alg,
    issuer: ca.subject,
    thisUpdate: timeOf(input.thisUpdate),
    nextUpdate: timeOf(input.nextUpdate ?? new Date(input.thisUpdate.getTime() + CRL_VALIDITY_MS)),
    ...(revoked.length
      ? {
          revokedCertificates: revoked.map(
            (r) =>
              new pkijs.RevokedCertificate({
                userCertificate: new asn1js.Integer({ valueHex: toArrayBuffer(r.serialNumber) }),
                revocationDate: timeOf(r.revocationDate),
                ...(r.reason && r.reason !== 'unspecified'
                  ? {
                      crlEntryExtensions: new pkijs.Extensions({
                        extensions: [extension(CRL_REASON, new asn1js.Enumerated({ value: REVOCATION_REASONS[r.reason] }))],
                      }),
                    }
                  : {}),
              }),
          ),
        }
      : {}),
    crlExtensions: new pkijs.Extensions({
      extensions: [
        extension(
          OID.authorityKeyIdentifier,
          new pkijs.AuthorityKeyIdentifier({
            keyIdentifier: new asn1js.OctetString({ valueHex: toArrayBuffer(keyIdentifier(await input.caSigner.publicKey())) }),
          }).toSchema(),
        ),
        extension(CRL_NUMBER, integerOf(input.crlNumber)),
      ],
    }),
    signatureAlgorithm: signatureAlgorithmIdentifier(input.caSigner.algorithm),
  });
  // encodeTBS is protected in pkijs's typings; the first element of the full encoding is the same TBSCertList.
  const tbsBlock = crl.toSchema(true).valueBlock.value[0];
  if (!tbsBlock) throw new Error('pkijs produced a CRL without a TBSCertList');
  const tbs = new Uint8Array(tbsBlock.toBER(false));
  const signature = await input.caSigner.sign(tbs);
  crl.signatureValue = new asn1js.BitString({ valueHex: toArrayBuffer(signature) });
  return new Uint8Array(crl.toSchema(true).toBER(false));
};
