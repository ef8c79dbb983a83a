import { AppError } from '../errors.js';
import { addSignatureRevision, type FormValue } from '../pdf/sign-revision.js';
import { embedSignature } from '../pdf/signature-placeholder.js';
import {
  assembleCades,
  buildSignedAttributes,
  signatureTimestampAttribute,
  signedAttributesForSigning,
  type Timestamper,
} from '../pki/cms.js';
import type { SignatureAlgorithm } from '../pki/key-signer.js';
import { sha256 } from '../util/bytes.js';

/**
 * A revision built without its signature: the bytes are final except the zero-filled
 * /Contents, so they can be pinned (stored) while the signer's key works elsewhere, and the
 * signature written in later without moving a byte.
 */
export interface PinnedRevisionInput {
  readonly pdf: Uint8Array;
  readonly fieldName: string;
  readonly widget: { page: number; x: number; y: number; width: number; height: number };
  readonly signerName: string;
  readonly detail?: string;
  readonly signedAt: Date;
  readonly contactInfo?: string;
  readonly formValues: readonly FormValue[];
  readonly signerCertificate: Uint8Array;
  /** The stamp's language (the envelope's). */
  readonly locale?: 'vi' | 'en';
}

export interface PinnedRevision {
  readonly pdf: Uint8Array;
  readonly byteRange: readonly [number, number, number, number];
  readonly contentDigest: Uint8Array;
  /** DER signed attributes (SET OF): what the signer's key signs. */
  readonly signedAttributes: Uint8Array;
}

/** Room for a long chain (RSA-4096 CAs) plus the signature timestamp token. */
const EXTERNAL_CONTENTS_SIZE = 24_576;

export const buildPinnedRevision = async (input: PinnedRevisionInput): Promise<PinnedRevision> => {
  let contentDigest: Uint8Array | undefined;
  const result = await addSignatureRevision({
    pdf: input.pdf,
    fieldName: input.fieldName,
    widget: input.widget,
    signerName: input.signerName,
    signedAt: input.signedAt,
    reason: 'Ký hợp đồng bằng chứng thư số / Signed with own certificate',
    location: 'Việt Nam',
    ...(input.contactInfo ? { contactInfo: input.contactInfo } : {}),
    ...(input.detail ? { detail: input.detail } : {}),
    formValues: input.formValues,
    ...(input.locale ? { locale: input.locale } : {}),
    contentsSize: EXTERNAL_CONTENTS_SIZE,
    // Nothing is signed now: capture the digest and leave /Contents zero-filled.
    sign: async (digest) => {
      contentDigest = digest;
      return new Uint8Array(0);
    },
  });
  if (!contentDigest) throw new AppError('internal', 'revision digest missing');
  const signedAttributes = signedAttributesForSigning(
    buildSignedAttributes({ contentDigest, signerCertificate: input.signerCertificate, chain: [] }),
  );
  return { pdf: result.pdf, byteRange: result.byteRange, contentDigest, signedAttributes };
};

/**
 * Writes a verified signature into pinned bytes: the CMS carries the signed attributes
 * rebuilt from the pinned digest and certificate (checked byte-equal to what was signed),
 * the chain, and a signature timestamp (B-T).
 */
export const embedPinnedSignature = async (input: {
  readonly pinned: Uint8Array;
  readonly byteRange: readonly [number, number, number, number];
  readonly contentDigest: Uint8Array;
  readonly signedAttributes: Uint8Array;
  readonly signerCertificate: Uint8Array;
  readonly chain: readonly Uint8Array[];
  readonly signatureValue: Uint8Array;
  readonly algorithm: SignatureAlgorithm;
  readonly timestamper: Timestamper;
}): Promise<Uint8Array> => {
  const [, start, end] = input.byteRange;
  const covered = Buffer.concat([input.pinned.subarray(0, start), input.pinned.subarray(end)]);
  // Invariant: the bytes we embed into are the bytes whose digest was signed.
  if (!Buffer.from(sha256(covered)).equals(Buffer.from(input.contentDigest))) {
    throw new AppError('internal', 'pinned revision does not match its digest');
  }
  const attrs = buildSignedAttributes({ contentDigest: input.contentDigest, signerCertificate: input.signerCertificate, chain: [] });
  if (!Buffer.from(signedAttributesForSigning(attrs)).equals(Buffer.from(input.signedAttributes))) {
    throw new AppError('internal', 'signed attributes could not be rebuilt identically');
  }
  const unsignedAttributes = [await signatureTimestampAttribute(input.signatureValue, input.timestamper)];
  const cms = assembleCades({
    contentDigest: input.contentDigest,
    signerCertificate: input.signerCertificate,
    chain: input.chain,
    signedAttributes: attrs,
    signatureValue: input.signatureValue,
    algorithm: input.algorithm,
    unsignedAttributes,
  });
  return embedSignature(
    { pdf: input.pinned, byteRange: input.byteRange, digest: input.contentDigest, contentsCapacity: (end - start - 2) / 2 },
    cms,
  );
};
