/** Where a recipient is reached: email (Mailer), SMS or Zalo (Messenger). */
export type Channel = 'email' | 'sms' | 'zalo';
export const CHANNELS: readonly Channel[] = ['email', 'sms', 'zalo'];

/** What a message is for; ZNS picks its approved template by this, SMS its wording. */
export type MessageKind = 'invitation' | 'reminder' | 'otp' | 'completed' | 'identity_mismatch';

/**
 * One message to one phone. `text` is the SMS body (already in the SMS form, see sms-text.ts);
 * `params` are the ZNS template parameters, in Vietnamese with diacritics.
 * `trackingId` is ours: providers echo it in delivery receipts.
 */
export interface PhoneMessage {
  readonly to: string;
  readonly kind: MessageKind;
  readonly text: string;
  readonly params: Readonly<Record<string, string>>;
  readonly trackingId: string;
}

export interface SentMessage {
  /** The provider's id (SNS MessageId, ZNS msg_id): what its delivery receipts name. */
  readonly messageId: string;
  readonly provider: 'sns' | 'zns';
}

/** Why a provider did not take a message. A Zalo failure of any kind falls back to SMS. */
export type MessengerFailure = 'not_on_zalo' | 'template_refused' | 'invalid_number' | 'unavailable' | 'not_configured' | 'refused';

export class MessengerError extends Error {
  constructor(
    readonly reason: MessengerFailure,
    message: string,
    readonly providerCode?: number | string,
  ) {
    super(message);
    this.name = 'MessengerError';
  }
}

/** The port: one adapter per channel (SNS for SMS, ZNS for Zalo), each speaking its provider's real protocol. */
export interface Messenger {
  readonly channel: 'sms' | 'zalo';
  send(message: PhoneMessage): Promise<SentMessage>;
}

export type DeliveryStatus = 'sent' | 'delivered' | 'failed';

/** One message handed to a provider, and what its receipts later said. */
export interface Delivery {
  readonly tenantId: string;
  readonly envelopeId: string;
  readonly recipientId: string;
  readonly channel: Channel;
  readonly provider: 'sns' | 'zns' | 'ses';
  readonly messageId: string;
  readonly kind: MessageKind;
  readonly status: DeliveryStatus;
  readonly sentAt: string;
  readonly updatedAt: string;
  /** The provider's words for a failure (never the message text). */
  readonly detail?: string;
}

/** Delivery records per envelope, found again by the provider's message id when a receipt arrives. */
/** A provider's receipt: delivered or failed, when, and why. */
export interface DeliveryReceipt {
  readonly status: DeliveryStatus;
  readonly at: string;
  readonly detail?: string;
}

export interface DeliveryLog {
  /**
   * Records a message just sent. Providers may report on it before this write lands (Zalo calls
   * back within tens of milliseconds); such a receipt was parked by `applyReceipt`, and is
   * returned here, claimed exactly once, for the caller to apply.
   */
  record(delivery: Delivery): Promise<DeliveryReceipt | undefined>;
  list(tenantId: string, envelopeId: string): Promise<Delivery[]>;
  /**
   * Applies a receipt; returns the updated record, or undefined when there is nothing to apply
   * it to yet (a message id not recorded: the receipt is parked for a day, for `record` to claim).
   */
  applyReceipt(
    provider: Delivery['provider'],
    messageId: string,
    receipt: { status: DeliveryStatus; at: string; detail?: string },
  ): Promise<Delivery | undefined>;
  /** Keeps a failure where the tenant's dashboard finds it (by time, without reading every envelope; kept ~40 days). */
  recordFailure(failure: DeliveryFailure): Promise<void>;
  /** The tenant's failures since `since` (ISO), newest first, at most `limit`. */
  listFailures(tenantId: string, since: string, limit: number): Promise<DeliveryFailure[]>;
}

/**
 * A message that did not reach its recipient as sent: a provider's `failed` receipt, or Zalo
 * refusing it (the message then went by SMS: `fellBackTo`). Never the message text.
 */
export interface DeliveryFailure {
  readonly tenantId: string;
  readonly envelopeId: string;
  readonly recipientId: string;
  readonly channel: Channel;
  readonly kind: MessageKind;
  /** The provider's reason (MessengerFailure or a receipt's detail). */
  readonly reason: string;
  readonly at: string;
  readonly fellBackTo?: 'sms';
}
