import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { keptSecret } from './kept-secret.js';

export interface LabourPlatformProps {
  /** The data key the client secret is encrypted with. */
  readonly encryptionKey: kms.IKey;
  /** The national e-labour-contract platform's base URL (https); absent: registrations stay pending and the late alarm fires. */
  readonly url?: string;
  /** Our OAuth2 client id at the platform. */
  readonly clientId?: string;
  /** Timeout of one call to the platform, ms. @default 10000 */
  readonly timeoutMs?: number;
}

/**
 * The national e-labour-contract platform (Decree 337, PROVISIONAL protocol: functions/labour/):
 * its settings, and our OAuth2 client secret in Secrets Manager. The stack creates the secret
 * with a random placeholder (so it is never in the template, an environment or a log); the
 * operator puts the value the Ministry issues (`aws secretsmanager put-secret-value`). Only the
 * function that delivers registrations may read it (`grantRead`), once per container.
 */
export class LabourPlatform extends Construct {
  readonly secret: secretsmanager.Secret;
  private readonly props: LabourPlatformProps;

  constructor(scope: Construct, id: string, props: LabourPlatformProps) {
    super(scope, id);
    this.props = props;
    this.secret = keptSecret(this, 'ClientSecret', {
      description: 'Kyso: OAuth2 client secret at the national e-labour-contract platform (put the value the Ministry issues)',
      encryptionKey: props.encryptionKey,
      initial: 'generated',
      rotation:
        'The platform issues the client secret; it is rotated when the Ministry issues a new one (put-secret-value): the labour function reads it once per container, so new containers pick up the new value.',
    });
  }

  /** KYSO_LABOUR_PLATFORM_* for the function that delivers registrations (the secret by ARN only). */
  environment(): Record<string, string> {
    const { url, clientId, timeoutMs } = this.props;
    return {
      ...(url ? { KYSO_LABOUR_PLATFORM_URL: url } : {}),
      ...(clientId ? { KYSO_LABOUR_PLATFORM_CLIENT_ID: clientId } : {}),
      KYSO_LABOUR_PLATFORM_CLIENT_SECRET_ID: this.secret.secretArn,
      ...(timeoutMs ? { KYSO_LABOUR_PLATFORM_TIMEOUT_MS: String(timeoutMs) } : {}),
    };
  }

  grantRead(grantee: iam.IGrantable): iam.Grant {
    return this.secret.grantRead(grantee);
  }
}
