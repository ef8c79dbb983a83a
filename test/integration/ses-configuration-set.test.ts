import { CreateConfigurationSetCommand, SESClient, VerifyEmailIdentityCommand } from '@aws-sdk/client-ses';
import { describe, expect, inject, it } from 'vitest';
import { sesMailer } from '../../functions/aws/ses-mailer.js';

const mail = { to: 'an@example.vn', subject: 'Mời ký hợp đồng', text: 'Xin chào', html: '<p>Xin chào</p>' };

describe('SES mail with the stack’s configuration set (KYSO_SES_CONFIGURATION_SET)', () => {
  it('names the configuration set on every SendEmail it makes (moto accepts it)', async () => {
    const client = new SESClient({
      endpoint: inject('awsEndpoint'),
      region: 'ap-southeast-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    // What the SDK really sends: moto does not check configuration sets, so read the request on the way out.
    const sent: string[] = [];
    client.middlewareStack.add(
      (next) => async (args) => {
        const body = (args.request as { body?: string }).body ?? '';
        if (body.includes('Action=SendEmail')) sent.push(new URLSearchParams(body).get('ConfigurationSetName') ?? '');
        return next(args);
      },
      { step: 'finalizeRequest' },
    );
    const from = `no-reply-${Date.now()}@kyso.local`;
    await client.send(new VerifyEmailIdentityCommand({ EmailAddress: from }));
    const name = `kyso-test-${Date.now()}`;
    await client.send(new CreateConfigurationSetCommand({ ConfigurationSet: { Name: name } }));
    await sesMailer({ client, from, configurationSet: name }).send(mail);
    await sesMailer({ client, from }).send(mail);
    expect(sent).toEqual([name, '']);
  });
});
