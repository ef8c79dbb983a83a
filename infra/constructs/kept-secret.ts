import { RemovalPolicy, SecretValue } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { acknowledge } from '../nag.js';

export interface KeptSecretProps {
  readonly description: string;
  /** The data key the secret is encrypted with. */
  readonly encryptionKey: kms.IKey;
  /**
   * `generated`: a random 48-character value Secrets Manager makes at deploy time (never in the
   * template); `emptyJson`: `{}`, fields put by the operator after deploying.
   */
  readonly initial: 'generated' | 'emptyJson';
  /** Why the secret has no automatic rotation (cdk-nag AwsSolutions-SMG4): who rotates it, and how. */
  readonly rotation: string;
}

/**
 * A secret of the stack (the admin key, the labour platform's client secret, the providers'
 * credentials): encrypted with the data key, RETAIN, never in the template, an environment or a
 * log. Functions get its ARN and read it once per container (functions/aws/admin-key-secret.ts).
 */
export const keptSecret = (scope: Construct, id: string, props: KeptSecretProps): secretsmanager.Secret => {
  const secret = new secretsmanager.Secret(scope, id, {
    description: props.description,
    encryptionKey: props.encryptionKey,
    ...(props.initial === 'generated'
      ? { generateSecretString: { passwordLength: 48, excludePunctuation: true, includeSpace: false } }
      : // Nothing secret: an empty object the operator fills in.
        { secretStringValue: SecretValue.unsafePlainText('{}') }),
    removalPolicy: RemovalPolicy.RETAIN,
  });
  acknowledge(secret, 'AwsSolutions-SMG4', props.rotation);
  return secret;
};
