import { AppError } from '../errors.js';
import { verifiedIdentityOf } from '../identity/require-identity.js';
import { addSignatureRevision, type FormValue } from '../pdf/sign-revision.js';
import { certificateSummary } from '../pki/certificate-summary.js';
import { contentsSizeFor, signCadesDetached } from '../pki/cms.js';
import type { OneTimeCredentials, PlatformPki, SignerCredentials, VerifiedIdentity } from '../pki/platform-pki.js';
import { sha256Hex } from '../util/bytes.js';
import { Timer } from '../util/timer.js';
import { pdfFieldName } from './certify-documents.js';
import { commitSignerRevisions } from './commit-signer-revision.js';
import { documentKey } from './create-envelope.js';
import type { EnvelopeDeps, RequestMeta } from './deps.js';
import { assertCanSign } from './routing.js';
import type { Envelope, EnvelopeDocument, Field, Recipient, SigningGrant } from './types.js';

export interface SignInput {
  readonly fields: Readonly<Record<string, string>>;
  /** `value` is the name for the certificate; a drawn signature adds its PNG, checked by the caller (readSignaturePng). */
  readonly signature: { readonly type: 'typed' | 'drawn'; readonly value: string; readonly image?: Uint8Array };
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The recipient if they may sign now, else undefined (the commit refuses them with the reason). */
const signableRecipient = (envelope: Envelope, recipientId: string): Recipient | undefined => {
  try {
    return assertCanSign(envelope, recipientId);
  } catch {
    return undefined;
  }
};

/** Checks the values a signer sent against their own fields: nothing missing, nothing foreign, right types. */
export const validateFieldValues = (
  envelope: Envelope,
  recipientId: string,
  values: Readonly<Record<string, string>>,
): Map<string, string> => {
  // Signature and initials fields are filled by the act of signing, not by values the signer sends.
  const mine = envelope.fields.filter((f) => f.recipientId === recipientId && f.type !== 'signature' && f.type !== 'initials');
  const byId = new Map(mine.map((f) => [f.id, f]));
  for (const id of Object.keys(values)) {
    if (!byId.has(id)) throw new AppError('invalid_field_value', `Field ${id} is not one of your fields.`);
  }
  const out = new Map<string, string>();
  for (const f of mine) {
    const raw = values[f.id];
    const value = typeof raw === 'string' ? raw.trim() : '';
    if (!value) {
      if (f.required) throw new AppError('invalid_field_value', `Field ${f.label ?? f.id} is required.`, { field: f.id });
      if (f.type === 'checkbox') out.set(f.id, 'false');
      continue;
    }
    if (f.type === 'checkbox' && value !== 'true' && value !== 'false') {
      throw new AppError('invalid_field_value', `Field ${f.label ?? f.id} is a checkbox: send "true" or "false".`, { field: f.id });
    }
    if (f.type === 'date') {
      const m = ISO_DATE.exec(value);
      const d = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : undefined;
      if (!m || !d || d.getUTCDate() !== Number(m[3])) {
        throw new AppError('invalid_field_value', `Field ${f.label ?? f.id} needs a date as YYYY-MM-DD.`, { field: f.id });
      }
    }
    if (f.type === 'text' && value.length > 500) {
      throw new AppError('invalid_field_value', `Field ${f.label ?? f.id} is longer than 500 characters.`, { field: f.id });
    }
    out.set(f.id, value);
  }
  return out;
};

/** "Nguyễn Văn An" → "NVA": what an initials field is stamped with. */
export const initialsOf = (name: string): string =>
  name
    .trim()
    .split(/\s+/)
    .map((w) => w.charAt(0).toLocaleUpperCase('vi'))
    .join('')
    .slice(0, 6);

/** Dates are shown the Vietnamese way (DD/MM/YYYY) in the PDF; the API speaks ISO. */
const displayValue = (f: Field, value: string): string => {
  if (f.type !== 'date') return value;
  const [y, m, d] = value.split('-');
  return `${d}/${m}/${y}`;
};

/**
 * One signer signs: for each document that carries their signature field, one incremental
 * revision that fills their fields and adds their PAdES signature (one KMS Sign each). The
 * new revisions and the signer's status are committed in one conditional write; if another
 * signer committed first, everything is redone on top of their revision.
 */
export const signEnvelope = async (
  deps: EnvelopeDeps,
  grant: SigningGrant,
  input: SignInput,
  meta: RequestMeta,
  /**
   * A seal signs with the tenant's credentials; `method` is what verified the signer (audit
   * trail); `current`: the envelope the caller already read (openLink), so it is not read again.
   */
  options: {
    credentials?: SignerCredentials;
    method?: string;
    /** The signer's identity as proven by an identity provider (issue 12): their one-time certificate then names it. */
    verifiedIdentity?: VerifiedIdentity;
    current?: Envelope;
  } = {},
): Promise<{ envelope: Envelope; timer: Timer; attempts: number }> => {
  const timer = new Timer();
  // Issued once per request, outside the retry loop: a retry after a conflict redoes only the
  // revision. Without credentials of their own (the seal), the signer gets a one-time key pair
  // and certificate (ADR 0011), destroyed below whatever happens.
  let issued: SignerCredentials | undefined;
  let oneTime: OneTimeCredentials | undefined;
  const tsaSources: string[] = [];
  const typedName = input.signature.value.trim();
  if (!typedName || typedName.length > 120) {
    throw new AppError('invalid_field_value', 'Type your full name to sign (1–120 characters).');
  }
  const signedAt = deps.clock.now();
  const issueOneTime = (pki: PlatformPki, recipient: Recipient) =>
    timer.time('kms', () =>
      pki.issueOneTimeCredentials({
        name: recipient.name,
        ...(recipient.email ? { email: recipient.email } : {}),
        ...(recipient.phone ? { phone: recipient.phone } : {}),
        ...((options.verifiedIdentity ?? verifiedIdentityOf(recipient))
          ? { verifiedIdentity: options.verifiedIdentity ?? verifiedIdentityOf(recipient) }
          : {}),
      }),
    );
  /** Set when this signing is over: a certificate whose issuance ends after that is destroyed at once. */
  let over = false;
  // Issued off the chain of builds (commit-signer-revision.ts `prepare`): signers of one envelope
  // build one at a time, so only what depends on the previous revision is done in that order.
  const prepare = async (current: Envelope, pki: PlatformPki) => {
    const recipient = signableRecipient(current, grant.recipientId);
    if (issued || !recipient || recipient.signatureLevel === 'digital') return;
    const credentials = await issueOneTime(pki, recipient);
    if (over || issued) return credentials.destroy();
    oneTime = credentials;
    issued = credentials;
  };
  const { envelope: after, attempts } = await commitSignerRevisions(
    deps,
    grant,
    timer,
    async (current, { recipient, pki, timestamper, documents: store }) => {
      tsaSources.length = 0; // a retry stamps again
      if (!options.credentials && recipient.signatureLevel === 'digital') {
        throw new AppError(
          'digital_signature_required',
          'Người gửi yêu cầu ký số bằng chứng thư số của tổ chức được cấp phép: hãy ký bằng USB token hoặc ký số từ xa. / The sender requires a digital signature with a licensed CA certificate: sign with a USB token or remote signing.',
        );
      }
      const values = validateFieldValues(current, recipient.id, input.fields);
      if (!issued && !options.credentials) oneTime = await issueOneTime(pki, recipient);
      issued ??= options.credentials ?? oneTime;
      const credentials = issued as SignerCredentials;
      const documents: EnvelopeDocument[] = [];
      for (const doc of current.documents) {
        const mine = current.fields.filter((f) => f.documentId === doc.id && f.recipientId === recipient.id);
        const sigField = mine.find((f) => f.type === 'signature');
        if (!sigField) {
          documents.push(doc);
          continue;
        }
        const pdf = await timer.time('s3', () => store.get(doc.key));
        const formValues: FormValue[] = mine
          .filter((f) => (f.type !== 'signature' && values.has(f.id)) || f.type === 'initials')
          .map((f) => ({
            name: pdfFieldName(f),
            type: f.type as FormValue['type'],
            rect: f,
            value: f.type === 'initials' ? initialsOf(typedName) : displayValue(f, values.get(f.id) ?? ''),
          }));
        const result = await addSignatureRevision({
          pdf,
          fieldName: pdfFieldName(sigField),
          widget: sigField,
          signerName: typedName,
          ...(input.signature.image ? { signatureImage: input.signature.image } : {}),
          signedAt,
          reason: 'Ký hợp đồng điện tử / Electronic contract signature',
          location: 'Việt Nam',
          contactInfo: recipient.email,
          detail: recipient.email,
          locale: current.language ?? 'vi',
          formValues,
          contentsSize: contentsSizeFor({ signerCertificate: credentials.certificate, chain: credentials.chain }, true),
          sign: (digest) =>
            signCadesDetached(
              { contentDigest: digest, signerCertificate: credentials.certificate, chain: credentials.chain },
              credentials.signer,
              timestamper,
            ),
        });
        timer.add('pdf', result.timings.pdfMs);
        timer.add('kms', result.timings.signMs);
        const sha256 = sha256Hex(result.pdf);
        const key = documentKey(current.tenantId, current.id, doc.id, sha256);
        await store.put(key, result.pdf);
        documents.push({ ...doc, sha256, key, revisions: doc.revisions + 1 });
      }
      return { documents, values };
    },
    {
      signedAt,
      onTimestamp: (source) => tsaSources.push(source),
      meta,
      // Read after the revision is built (the one-time certificate is issued there); its key is destroyed right after the commit.
      data: () => ({
        method: options.method ?? 'email-link',
        signature: options.credentials ? 'seal' : input.signature.type,
        ...(oneTime ? { certificate: { ...certificateSummary(oneTime.certificate), oneTime: true, keyDestroyed: true } } : {}),
        ...(options.verifiedIdentity ? { identityMethod: options.verifiedIdentity.method } : {}),
        timestamps: [...new Set(tsaSources)],
      }),
      ...(options.current ? { current: options.current } : {}),
      ...(options.credentials ? {} : { prepare }),
    },
  ).finally(() => {
    over = true;
    oneTime?.destroy();
  });
  return { envelope: after, timer, attempts };
};
