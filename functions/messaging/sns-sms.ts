import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { type Messenger, MessengerError } from '../../shared/messaging/ports.js';

/**
 * SMS through Amazon SNS `Publish` to a phone number.
 *
 * Why SNS and not AWS End User Messaging SMS (pinpoint-sms-voice-v2): one call, no
 * phone-pool/origination resources to provision per account, the same IAM model as the rest
 * of the stack, and the local AWS endpoint (moto) implements it, so the integration tests send
 * real Publish requests. Vietnam needs a registered brand name (sender ID); SNS passes it as
 * `AWS.SNS.SMS.SenderID`. Delivery status comes from SNS SMS delivery-status logging
 * (CloudWatch Logs), read by `sns-delivery-logs.ts`. Moving to End User Messaging later is a
 * new adapter behind the same `Messenger` port.
 */
export const snsSmsMessenger = ({ client, senderId }: { client: SNSClient; senderId?: string }): Messenger => ({
  channel: 'sms',
  async send(m) {
    try {
      const r = await client.send(
        new PublishCommand({
          PhoneNumber: m.to,
          Message: m.text,
          MessageAttributes: {
            'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Transactional' },
            ...(senderId ? { 'AWS.SNS.SMS.SenderID': { DataType: 'String', StringValue: senderId } } : {}),
          },
        }),
      );
      if (!r.MessageId) throw new MessengerError('unavailable', 'SNS returned no MessageId');
      return { messageId: r.MessageId, provider: 'sns' };
    } catch (e) {
      if (e instanceof MessengerError) throw e;
      const name = (e as { name?: string }).name ?? 'Error';
      if (name === 'InvalidParameterException' || name === 'InvalidParameterValueException')
        throw new MessengerError('invalid_number', `SNS refused the number (${name})`, name);
      if (name === 'OptedOutException') throw new MessengerError('refused', 'the number opted out of SMS', name);
      throw new MessengerError('unavailable', `SNS Publish failed (${name})`, name);
    }
  },
});
