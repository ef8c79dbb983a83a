import { AppError } from '../errors.js';
import {
  bindEmployeeIdentity,
  type LabourContractInput,
  labourIdentification,
  prepareLabourContract,
} from '../labour/prepare-labour-contract.js';
import type { ConversionRecord } from '../labour/types.js';
import type { Channel } from '../messaging/ports.js';
import { recipientContact } from '../messaging/recipient-contact.js';
import { checkPages } from '../pdf/page-checks.js';
import { assertPdfWithinLimits, refuseActiveContent } from '../pdf/pdf-limits.js';
import { loadPdf, pageBoxes } from '../pdf/pdf-structure.js';
import type { ContractKind } from '../retention/types.js';
import { randomId, sha256Hex } from '../util/bytes.js';
import { requirePlainText } from '../util/plain-text.js';
import type { EnvelopeDeps, RequestMeta } from './deps.js';
import type { AuditInput } from './effects.js';
import { hashAccessCode } from './signer-auth.js';
import type { Envelope, EnvelopeDocument, EnvelopeLanguage, Field, FieldType, Recipient, RecipientRole, ReminderOptions } from './types.js';

/** Defaults when the deployment does not set them (EnvelopeDeps.envelopeTtlDays / reminders). */
export const DEFAULT_ENVELOPE_TTL_DAYS = 30;
export const DEFAULT_REMINDERS: ReminderOptions = { delayHours: 48, intervalHours: 48, max: 3 };

export interface CreateEnvelopeInput {
  readonly title: string;
  readonly documents: readonly { readonly name: string; readonly content: Uint8Array }[];
  readonly recipients: readonly {
    readonly name: string;
    /** Optional only for a seal (the platform applies it; nobody is emailed). */
    readonly email?: string;
    readonly role: RecipientRole;
    readonly order: number;
    readonly auth?: { readonly otp?: boolean; readonly accessCode?: string; readonly otpChannel?: Channel };
    /** Vietnamese mobile number in any usual form; stored as E.164. */
    readonly phone?: string;
    readonly channels?: readonly Channel[];
    readonly identity?: { readonly required: boolean; readonly idNumber?: string };
    readonly signatureLevel?: 'electronic' | 'digital';
    /** `embedded`: no messages; reached through embedded links (shared/envelope/embedded-link.ts). */
    readonly delivery?: 'message' | 'embedded';
  }[];
  /** Signer page, messages and stamps; default vi. */
  readonly language?: EnvelopeLanguage;
  /** ISO instant; default: now + EnvelopeDeps.envelopeTtlDays. */
  readonly expiresAt?: string;
  /** Receives decline, void and expiry notices. */
  readonly senderEmail?: string;
  /** false: no reminders; absent: the deployment default. */
  readonly reminders?: ReminderOptions | false;
  /** A labour contract, appendix or termination (Decree 337): validated, parties matched to recipients. */
  readonly labourContract?: LabourContractInput;
  /** Retention class once completed, and the contract's end date when known (issue 17). */
  readonly contractKind?: ContractKind;
  readonly contractEndsAt?: string;
  readonly fields: readonly {
    readonly recipient: number;
    readonly document: number;
    readonly type: FieldType;
    readonly page: number;
    readonly x: number;
    readonly y: number;
    readonly width: number;
    readonly height: number;
    readonly required?: boolean;
    readonly label?: string;
  }[];
}

export const documentKey = (tenantId: string, envelopeId: string, documentId: string, sha256: string): string =>
  `tenants/${tenantId}/envelopes/${envelopeId}/${documentId}/${sha256}.pdf`;

/**
 * Validates a new envelope completely before anything is stored: every document must be a
 * PDF we can sign, every field must sit on a page, every signer needs exactly one
 * signature field on each document where they have fields. Only then are the documents
 * and the envelope written, so a rejected request leaves nothing behind.
 */
export const createEnvelope = async (
  deps: EnvelopeDeps,
  tenantId: string,
  input: CreateEnvelopeInput,
  meta: RequestMeta,
  options: CreateEnvelopeOptions = {},
): Promise<Envelope> => {
  const { envelope, contents, created } = await prepareEnvelope(deps, tenantId, input, meta, options);
  await storeDocuments(deps, envelope, contents);
  await deps.envelopes.create(envelope);
  await deps.audit.append(tenantId, envelope.id, created);
  return envelope;
};

export interface CreateEnvelopeOptions {
  /** A caller-chosen id (bulk rows derive it from job and row, so a redelivered row cannot create a second envelope). */
  readonly envelopeId?: string;
  /** A labour contract converted from paper (POST /v1/labour-contracts/conversions): its conversion record. */
  readonly conversion?: ConversionRecord;
}

/** A new envelope, validated and built but not stored: the draft, its documents' bytes (in order) and its `envelope.created` event. */
export interface PreparedEnvelope {
  readonly envelope: Envelope;
  readonly contents: readonly Uint8Array[];
  readonly created: AuditInput;
}

/** Stores a prepared envelope's documents (before the envelope that points at them). */
export const storeDocuments = async (deps: Pick<EnvelopeDeps, 'documents'>, envelope: Envelope, contents: readonly Uint8Array[]) => {
  await Promise.all(contents.map((c, i) => deps.documents.put((envelope.documents[i] as EnvelopeDocument).key, c)));
};

/** Everything createEnvelope checks and builds before it stores anything (createSentEnvelope stores it otherwise). */
export const prepareEnvelope = async (
  deps: EnvelopeDeps,
  tenantId: string,
  input: CreateEnvelopeInput,
  meta: RequestMeta,
  options: CreateEnvelopeOptions = {},
): Promise<PreparedEnvelope> => {
  if (input.documents.length === 0) throw new AppError('validation_failed', 'At least one document is required.');
  if (input.recipients.length === 0) throw new AppError('validation_failed', 'At least one recipient is required.');

  // Before any work: titles and names reach email subjects, certificate CNs and PDF stamps.
  requirePlainText(input.title, 'title');
  for (const [i, r] of input.recipients.entries()) requirePlainText(r.name, `recipients[${i}].name`);
  for (const [i, d] of input.documents.entries()) requirePlainText(d.name, `documents[${i}].name`);

  const envelopeId = options.envelopeId ?? randomId(12);
  const parsed = await Promise.all(
    input.documents.map(async (d, i) => {
      try {
        // Limits before work: the pre-scan bounds inflation and object counts before pdf-lib parses anything.
        refuseActiveContent(await assertPdfWithinLimits(d.content));
        const pdf = await loadPdf(d.content);
        checkPages(pdf.doc);
        return { name: d.name, content: d.content, pages: pageBoxes(pdf.doc) };
      } catch (e) {
        if (e instanceof AppError) throw new AppError(e.code, `documents[${i}] (${d.name}): ${e.message}`);
        throw e;
      }
    }),
  );

  const orders = [...new Set(input.recipients.map((r) => r.order))].sort((a, b) => a - b);
  orders.forEach((o, i) => {
    if (o !== i + 1) {
      throw new AppError('validation_failed', `Recipient orders must run 1, 2, 3… without gaps; found ${orders.join(', ')}.`);
    }
  });
  const emails = new Set<string>();
  const phones = new Set<string>();
  const recipients: Recipient[] = input.recipients.map((r, i) => {
    const { email, phone, channels, otpChannel, identity } = recipientContact(r, i);
    if (email && emails.has(email)) throw new AppError('validation_failed', `Recipient ${email} is listed twice.`);
    if (email) emails.add(email);
    if (phone && phones.has(phone)) throw new AppError('validation_failed', `recipients[${i}]: phone ${phone} is listed twice.`);
    if (phone) phones.add(phone);
    if (r.auth && (r.role === 'seal' || r.role === 'viewer')) {
      throw new AppError('validation_failed', `recipients[${i}]: a ${r.role} does not act through a link, so it takes no auth.`);
    }
    if (r.delivery === 'embedded' && r.role !== 'signer' && r.role !== 'approver') {
      throw new AppError('validation_failed', `recipients[${i}].delivery: only a signer or an approver signs in an embedded page.`);
    }
    if (r.delivery === 'embedded' && r.channels?.length) {
      throw new AppError('validation_failed', `recipients[${i}].channels: an embedded recipient is sent no messages.`);
    }
    if (r.signatureLevel === 'digital' && r.role !== 'signer') {
      throw new AppError('validation_failed', `recipients[${i}].signatureLevel: only a signer signs with a certificate of their own.`);
    }
    if (r.auth?.otp && r.auth.accessCode) {
      throw new AppError('validation_failed', `recipients[${i}].auth: choose a one-time code or an access code, not both.`);
    }
    const id = randomId(9);
    const auth = r.auth?.otp
      ? { otp: true, ...(otpChannel ? { otpChannel } : {}) }
      : r.auth?.accessCode
        ? { accessCodeHash: hashAccessCode(r.auth.accessCode) }
        : undefined;
    return {
      id,
      name: r.name.trim(),
      email,
      ...(phone ? { phone } : {}),
      ...(channels ? { channels } : {}),
      ...(identity ? { identity } : {}),
      ...(r.signatureLevel === 'digital' ? { signatureLevel: 'digital' as const } : {}),
      ...(r.delivery === 'embedded' ? { delivery: 'embedded' as const } : {}),
      role: r.role,
      order: r.order,
      status: 'pending',
      ...(auth ? { auth } : {}),
    };
  });
  const actorOrders = recipients.filter((r) => r.role !== 'viewer');
  if (actorOrders.length === 0) throw new AppError('validation_failed', 'At least one recipient must sign, approve or seal.');
  const now = deps.clock.now();
  const expiresAt =
    input.expiresAt ?? new Date(now.getTime() + (deps.envelopeTtlDays ?? DEFAULT_ENVELOPE_TTL_DAYS) * 86400_000).toISOString();
  if (!(Date.parse(expiresAt) > now.getTime())) throw new AppError('validation_failed', 'expiresAt must be in the future.');

  const documents: EnvelopeDocument[] = parsed.map((d) => {
    const id = randomId(9);
    const sha256 = sha256Hex(d.content);
    return {
      id,
      name: d.name,
      originalSha256: sha256,
      sha256,
      key: documentKey(tenantId, envelopeId, id, sha256),
      pageCount: d.pages.length,
      revisions: 0,
    };
  });

  const fields: Field[] = input.fields.map((f, i) => {
    const recipient = recipients[f.recipient];
    if (!recipient) throw new AppError('unknown_recipient', `fields[${i}].recipient ${f.recipient} does not refer to a recipient.`);
    const doc = documents[f.document];
    const pages = parsed[f.document]?.pages;
    if (!doc || !pages) throw new AppError('unknown_document', `fields[${i}].document ${f.document} does not refer to a document.`);
    const page = pages[f.page - 1];
    if (!page) throw new AppError('field_off_page', `fields[${i}] is on page ${f.page}, but the document has ${pages.length} page(s).`);
    const fits =
      f.x >= 0 && f.y >= 0 && f.width > 0 && f.height > 0 && f.x + f.width <= page.width + 0.01 && f.y + f.height <= page.height + 0.01;
    if (!fits) {
      throw new AppError(
        'field_off_page',
        `fields[${i}] (${f.x}, ${f.y}, ${f.width}×${f.height}) does not fit on page ${f.page} (${Math.round(page.width)}×${Math.round(page.height)} pt).`,
      );
    }
    return {
      id: randomId(9),
      recipientId: recipient.id,
      documentId: doc.id,
      type: f.type,
      page: f.page,
      x: f.x,
      y: f.y,
      width: f.width,
      height: f.height,
      required: f.required ?? f.type !== 'checkbox',
      ...(f.label ? { label: f.label } : {}),
    };
  });

  for (const r of recipients) {
    const mine = fields.filter((f) => f.recipientId === r.id);
    if (r.role === 'viewer' && mine.length > 0) {
      throw new AppError('unexpected_field', `Viewer ${r.email} receives the completed copy and can have no fields.`);
    }
    if (r.role === 'approver') {
      if (mine.some((f) => f.type === 'signature')) {
        throw new AppError('unexpected_field', `Approver ${r.email} approves or rejects; an approver has no signature field.`);
      }
      if (mine.length > 0) throw new AppError('unexpected_field', `Approver ${r.email} approves or rejects and can have no fields.`);
    }
    if (r.role === 'viewer' || r.role === 'approver') continue;
    if (r.role === 'seal' && mine.some((f) => f.type !== 'signature')) {
      throw new AppError('unexpected_field', `The seal of ${r.name} takes only signature fields.`);
    }
    if (!mine.some((f) => f.type === 'signature')) {
      throw new AppError(
        'missing_signature_field',
        `${r.role === 'seal' ? 'Seal' : 'Signer'} ${r.email || r.name} has no signature field.`,
      );
    }
    for (const d of documents) {
      const onDoc = mine.filter((f) => f.documentId === d.id);
      const sigs = onDoc.filter((f) => f.type === 'signature').length;
      if (onDoc.length > 0 && sigs !== 1) {
        throw new AppError(
          'missing_signature_field',
          `Signer ${r.email} needs exactly one signature field on "${d.name}" (has ${sigs}): their other fields there are sealed by it.`,
        );
      }
    }
  }

  if (recipients.some((r) => r.role === 'seal') && !(await deps.seals.describe(tenantId))?.certificate) {
    throw new AppError('seal_not_provisioned', 'A seal recipient needs the tenant’s seal: provision it with POST /v1/seal first.');
  }
  const prepared = input.labourContract
    ? await prepareLabourContract(deps, tenantId, input.labourContract, recipients, options.conversion)
    : undefined;
  // Decree 337: the parties are identified unless the tenant or the deployment opted out (recorded on the contract).
  const identification =
    prepared && !options.conversion ? labourIdentification(await deps.tenants.get(tenantId), deps.labour?.identityRequired) : undefined;
  if (identification?.required && !deps.identity?.document && !deps.identity?.oidc) {
    throw new AppError(
      'identity_not_configured',
      'A labour contract’s parties prove their identity (Decree 337), and this deployment has no eKYC or VNeID provider; configure one or opt out in the tenant’s settings.',
    );
  }
  const labourContract = prepared && identification ? { ...prepared, identification } : prepared;
  const reminders = input.reminders === false ? undefined : (input.reminders ?? deps.reminders ?? DEFAULT_REMINDERS);
  const envelope: Envelope = {
    id: envelopeId,
    tenantId,
    title: input.title.trim(),
    status: 'draft',
    version: 1,
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
    expiresAt,
    ...(input.senderEmail ? { senderEmail: input.senderEmail.trim().toLowerCase() } : {}),
    ...(reminders ? { reminders } : {}),
    ...(labourContract ? { labourContract } : {}),
    language: input.language ?? 'vi',
    ...(input.contractKind ? { contractKind: input.contractKind } : {}),
    ...(input.contractEndsAt ? { contractEndsAt: new Date(input.contractEndsAt).toISOString() } : {}),
    recipients: labourContract
      ? bindEmployeeIdentity(labourContract, recipients, identification, (i) => input.recipients[i]?.identity?.required === false)
      : recipients,
    documents,
    fields,
  };
  const created: AuditInput = {
    at: now.toISOString(),
    action: 'envelope.created',
    actor: { type: 'tenant', id: tenantId },
    ...meta,
    data: {
      documents: documents.map((d) => ({ id: d.id, name: d.name, sha256: d.sha256 })),
      ...(identification ? { labourIdentification: identification } : {}),
    },
  };
  return { envelope, contents: parsed.map((d) => d.content), created };
};
