import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { keptSecret } from './kept-secret.js';

export interface ProviderSecretsProps {
  /** The data key the secret is encrypted with. */
  readonly encryptionKey: kms.IKey;
}

/** The JSON fields the code reads (functions/config.ts `Credential`), each used when its KYSO_* variable is unset. */
export const PROVIDER_SECRET_FIELDS = ['znsSecretKey', 'znsRefreshToken', 'znsOaSecretKey', 'ekycApiKey', 'oidcClientSecret'] as const;

/**
 * The credentials the providers issued us (Zalo OA app secret, first refresh token and OA secret
 * key; the eKYC vendor's API key; a confidential OIDC client's secret), as fields of one JSON
 * secret, so they are never in the template, the Lambda environment or the logs. The stack makes
 * it empty (`{}`: nothing secret in the template); the operator puts the values
 * (infra/README "Provider credentials"). The functions that call the providers read it once per
 * container, when first needed (`KYSO_PROVIDER_SECRETS_ID`).
 */
export class ProviderSecrets extends Construct {
  readonly secret: secretsmanager.Secret;

  constructor(scope: Construct, id: string, props: ProviderSecretsProps) {
    super(scope, id);
    this.secret = keptSecret(this, 'Secret', {
      description: `Kyso provider credentials, JSON: ${PROVIDER_SECRET_FIELDS.join(', ')}`,
      encryptionKey: props.encryptionKey,
      // The values are the providers', put by the operator after deploying.
      initial: 'emptyJson',
      rotation:
        'Provider-issued credentials are rotated at the provider (Zalo OA, the eKYC vendor, the identity service) and then put here; the ZNS refresh token rotates itself and is kept in the table after first use.',
    });
  }

  grantRead(grantee: iam.IGrantable): iam.Grant {
    return this.secret.grantRead(grantee);
  }
}
