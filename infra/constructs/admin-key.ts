import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { keptSecret } from './kept-secret.js';

export interface AdminKeyProps {
  /** The data key the secret is encrypted with. */
  readonly encryptionKey: kms.IKey;
}

/**
 * The operator's admin key (POST /admin/tenants): a random value Secrets Manager generates at
 * deploy time, so it is never in the template, the Lambda environment or the logs. Only the API
 * may read it (`grantRead`); the operator reads it once with the CLI to create the first tenant.
 */
export class AdminKey extends Construct {
  readonly secret: secretsmanager.Secret;

  constructor(scope: Construct, id: string, props: AdminKeyProps) {
    super(scope, id);
    this.secret = keptSecret(this, 'Secret', {
      description: 'Kyso admin key: Authorization: Bearer <value> on /admin/* (creating tenants)',
      encryptionKey: props.encryptionKey,
      initial: 'generated',
      rotation:
        'The admin key is used by an operator by hand a few times (first tenant, new tenants); rotate it with `aws secretsmanager rotate-secret` or put-secret-value: the API reads it once per container, so new containers pick up the new value.',
    });
  }

  grantRead(grantee: iam.IGrantable): iam.Grant {
    return this.secret.grantRead(grantee);
  }
}
