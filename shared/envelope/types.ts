import type { IdentityImageDays } from '../identity/ports.js';
import type { IdentityRequirement } from '../identity/types.js';
import type { LabourContract } from '../labour/types.js';
import type { Channel } from '../messaging/ports.js';
import type { ContractKind, EnvelopeRetention, LegalHold, RetentionSettings } from '../retention/types.js';

/** The envelope aggregate: one item in the store, changed only by conditional writes on `version`. */
export type EnvelopeStatus = 'draft' | 'sent' | 'completed' | 'declined' | 'voided' | 'expired';
export type RecipientStatus = 'pending' | 'notified' | 'viewed' | 'signed' | 'approved' | 'declined';
/**
 * signer: signs with a signature field · approver: approves or rejects, no signature field ·
 * viewer: receives the completed copy, no fields, never blocks · seal: the tenant's
 * organisation seal, applied by the platform when its turn comes (needs a signature field).
 */
export type RecipientRole = 'signer' | 'approver' | 'viewer' | 'seal';
export const RECIPIENT_ROLES: readonly RecipientRole[] = ['signer', 'approver', 'viewer', 'seal'];

/** How a recipient proves who they are beyond the link: a code by email, or an access code shared out of band (hashed). */
export interface RecipientAuth {
  readonly otp?: boolean;
  /** Where one-time codes go (default: email if the recipient has one, else sms). */
  readonly otpChannel?: Channel;
  readonly accessCodeHash?: string;
}

/** Reminder schedule of an envelope: first after `delayHours`, then every `intervalHours`, at most `max` per recipient. */
export interface ReminderOptions {
  readonly delayHours: number;
  readonly intervalHours: number;
  readonly max: number;
}
/** `initials` are stamped with the signer's initials when they sign (a form field, not a second signature). */
export type FieldType = 'signature' | 'initials' | 'text' | 'date' | 'checkbox';

export interface Recipient {
  readonly id: string;
  readonly name: string;
  /** '' for a phone-only recipient or a seal. */
  readonly email: string;
  /** E.164 (+84…), shared/messaging/phone.ts. */
  readonly phone?: string;
  /** Where invitations, reminders and codes go; absent: email if there is one, else sms. */
  readonly channels?: readonly Channel[];
  /** Proof of identity (citizen ID) asked for before signing, and its evidence once proven. */
  readonly identity?: IdentityRequirement;
  /**
   * `digital`: the sender requires a signature with a licensed CA's certificate (USB token or
   * remote signing); the platform's one-time certificate (an electronic signature) is refused.
   * Absent: `electronic`, any way of signing.
   */
  readonly signatureLevel?: 'digital';
  /**
   * `embedded`: the tenant shows the signer page in its own site (POST …/embedded-link): no
   * invitation, reminder or completion message is sent, and no email or phone is needed.
   */
  readonly delivery?: 'embedded';
  readonly role: RecipientRole;
  readonly order: number;
  readonly status: RecipientStatus;
  readonly notifiedAt?: string;
  readonly viewedAt?: string;
  readonly signedAt?: string;
  readonly approvedAt?: string;
  readonly declinedAt?: string;
  readonly declineReason?: string;
  readonly auth?: RecipientAuth;
  /** SHA-256 hashes of this recipient's live link tokens; a token not listed here is dead (resend, email change). */
  readonly linkHashes?: readonly string[];
  readonly remindersSent?: number;
  readonly lastRemindedAt?: string;
  /** Set when a personal-data request erased this recipient's name, contact details and identity evidence (shared/data-subjects/). */
  readonly erasedAt?: string;
}

export interface EnvelopeDocument {
  readonly id: string;
  readonly name: string;
  /** SHA-256 of the uploaded bytes. */
  readonly originalSha256: string;
  /** SHA-256 of the current revision (what GET .../documents/{id} returns). */
  readonly sha256: string;
  /** Store key of the current revision. */
  readonly key: string;
  readonly pageCount: number;
  readonly revisions: number;
}

export interface Field {
  readonly id: string;
  readonly recipientId: string;
  readonly documentId: string;
  readonly type: FieldType;
  /** 1-based */
  readonly page: number;
  /** PDF points from the top-left corner of the page. */
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly required: boolean;
  readonly label?: string;
  readonly value?: string;
}

export interface Envelope {
  readonly id: string;
  readonly tenantId: string;
  readonly title: string;
  readonly status: EnvelopeStatus;
  readonly version: number;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly sentAt?: string;
  readonly completedAt?: string;
  /** After this instant a sent envelope is expired (lazily on access, and by the scheduler sweep). */
  readonly expiresAt?: string;
  readonly voidedAt?: string;
  readonly declinedAt?: string;
  readonly expiredAt?: string;
  /** Why it was voided or declined. */
  readonly statusReason?: string;
  /** Where decline/void/expiry notices for the sender go. */
  readonly senderEmail?: string;
  readonly reminders?: ReminderOptions;
  /** The signer page's, messages' and stamps' language (absent on envelopes made before it existed: vi). */
  readonly language?: EnvelopeLanguage;
  /** Which retention class applies once completed (issue 17); absent = other. */
  readonly contractKind?: ContractKind;
  /** ISO date the contract ends, when known: classes counting from the contract's end start there. */
  readonly contractEndsAt?: string;
  /** Set when completed documents are archived under Object Lock. */
  readonly retention?: EnvelopeRetention;
  /** While set, nothing of the envelope may be deleted or erased. */
  readonly legalHold?: LegalHold;
  /** Personal-data erasure (shared/data-subjects/erase-subject.ts): who was erased, by which requests (subjects as keyed commitments). */
  readonly erasure?: {
    readonly at: string;
    readonly requestIds: readonly string[];
    readonly subjects: readonly string[];
    readonly recipientIds: readonly string[];
  };
  readonly recipients: readonly Recipient[];
  readonly documents: readonly EnvelopeDocument[];
  readonly fields: readonly Field[];
  /**
   * Ids of the last commits (newest last, at most COMMITS_KEPT): an outbox item is owed only if
   * the commit that prepared it is here (shared/envelope/transition.ts).
   */
  readonly commits?: readonly string[];
  /** A labour contract (Decree 337): its main terms, parties and national registration (shared/labour/). */
  readonly labourContract?: LabourContract;
}

export interface Tenant {
  readonly id: string;
  readonly name: string;
  readonly createdAt: string;
  /** RFC 3161 TSAs this tenant wants, tried in order before the platform TSA. */
  readonly tsaUrls?: readonly string[];
  /** Retention classes that differ from the defaults (shared/retention/types.ts). */
  readonly retention?: Partial<RetentionSettings>;
  /** Labour contracts (issue 13): `identityRequired: false` opts this tenant out of identity proofing of the parties. */
  readonly labour?: { readonly identityRequired?: boolean };
  /** Days ID-card and selfie images are kept (issue 12); absent = DEFAULT_IDENTITY_IMAGE_DAYS. */
  readonly identityImageDays?: IdentityImageDays;
}

/** What a link token grants: one recipient of one envelope of one tenant, nothing else. */
export interface SigningGrant {
  readonly tenantId: string;
  readonly envelopeId: string;
  readonly recipientId: string;
  readonly expiresAt: string;
  /** A link for embedding (shared/envelope/embedded-link.ts): the page may be framed by, and posts its outcome to, this origin only. */
  readonly embed?: EmbedTarget & {
    /** `link`: the 5-minute URL handed to the tenant, good for one open; `session`: what that open became. */
    readonly stage: 'link' | 'session';
  };
}

export interface EmbedTarget {
  /** `https://host[:port]` (or `http://` on loopback): the only frame ancestor and postMessage target. */
  readonly allowedOrigin: string;
  /** Where the page sends the signer back when it is not framed (redirect mode). */
  readonly returnUrl: string;
}

export type EnvelopeLanguage = 'vi' | 'en';

export interface AuditEvent {
  readonly seq: number;
  readonly at: string;
  readonly action: string;
  readonly actor: { readonly type: 'tenant' | 'recipient' | 'system'; readonly id?: string; readonly email?: string };
  readonly ip?: string;
  readonly userAgent?: string;
  readonly data?: Record<string, unknown>;
  /** 2, 3: hashed over a commitment to its personal data, which can then be erased (shared/audit/personal-data.ts; 3 covers more keys). */
  readonly v?: 2 | 3;
  readonly pdSalt?: string;
  readonly pdCommitment?: string;
  /** When its personal data was erased (data-subject request). */
  readonly erasedAt?: string;
  readonly prevHash: string;
  readonly hash: string;
}
