import { RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

/** The platform keys, named as `functions/aws/platform-keys.ts` resolves them: `${aliasPrefix}/${name}`. */
export const SIGNING_KEY_NAMES = ['root-ca', 'issuing-ca', 'platform-signing', 'tsa'] as const;
export type SigningKeyName = (typeof SIGNING_KEY_NAMES)[number];
export type SigningKeySpec = 'ECC_NIST_P256' | 'RSA_2048' | 'RSA_3072';

export interface SigningKeysProps {
  /**
   * The roles allowed to call kms:Sign on these keys: the functions that sign (the API, and
   * the worker, whose bulk sends certify documents). No one else, the account included.
   */
  readonly signers: readonly iam.IRole[];
  /** Alias prefix, e.g. `alias/kyso`; must match the functions' KYSO_KEY_ALIAS_PREFIX. */
  readonly aliasPrefix: string;
  /** Key spec for every platform key; must match KYSO_KEY_SPEC. @default ECC_NIST_P256 */
  readonly keySpec?: SigningKeySpec;
}

/** Administration without use: the account can manage and audit the keys, but not sign with them. */
const ADMIN_ACTIONS = [
  'kms:Create*',
  'kms:Describe*',
  'kms:Enable*',
  'kms:List*',
  'kms:Put*',
  'kms:Update*',
  'kms:Revoke*',
  'kms:Disable*',
  'kms:Get*',
  'kms:Delete*',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:ScheduleKeyDeletion',
  'kms:CancelKeyDeletion',
  'kms:Verify',
];

/**
 * Asymmetric SIGN_VERIFY keys for the platform root CA, issuing CA, platform signing key and TSA.
 *
 * Invariant: only the `signers` roles can call kms:Sign. The key policy does not hand the account `kms:*`
 * (which would let any IAM principal with a broad policy sign as the platform CA); it grants
 * administration to the account, Sign to the signer role, and explicitly denies Sign to every
 * other principal. L1 `CfnKey` is used because the L2 `Key` always adds the account `kms:*`
 * statement under the default-key-policies feature flag.
 */
export class SigningKeys extends Construct {
  readonly keys: Readonly<Record<SigningKeyName, kms.CfnKey>>;
  readonly aliasPrefix: string;
  readonly keySpec: SigningKeySpec;

  constructor(scope: Construct, id: string, props: SigningKeysProps) {
    super(scope, id);
    this.aliasPrefix = props.aliasPrefix;
    this.keySpec = props.keySpec ?? 'ECC_NIST_P256';
    const policy = new iam.PolicyDocument({
      statements: [
        new iam.PolicyStatement({
          sid: 'AccountAdministersButDoesNotSign',
          principals: [new iam.AccountRootPrincipal()],
          actions: ADMIN_ACTIONS,
          resources: ['*'],
        }),
        new iam.PolicyStatement({
          sid: 'SignerRoleSigns',
          principals: props.signers.map((r) => new iam.ArnPrincipal(r.roleArn)),
          actions: ['kms:Sign', 'kms:GetPublicKey', 'kms:DescribeKey'],
          resources: ['*'],
        }),
        new iam.PolicyStatement({
          sid: 'NobodyElseSigns',
          effect: iam.Effect.DENY,
          principals: [new iam.AnyPrincipal()],
          actions: ['kms:Sign'],
          resources: ['*'],
          conditions: { ArnNotEquals: { 'aws:PrincipalArn': props.signers.map((r) => r.roleArn) } },
        }),
      ],
    });
    const keys = {} as Record<SigningKeyName, kms.CfnKey>;
    for (const name of SIGNING_KEY_NAMES) {
      const key = new kms.CfnKey(this, keyId(name), {
        description: `Kyso ${name} (${props.aliasPrefix}/${name})`,
        keySpec: this.keySpec,
        keyUsage: 'SIGN_VERIFY',
        keyPolicy: policy,
        pendingWindowInDays: 30,
      });
      // A CA key that is deleted cannot be replaced: every certificate it issued dies with it.
      key.applyRemovalPolicy(RemovalPolicy.RETAIN);
      const alias = new kms.CfnAlias(this, `${keyId(name)}Alias`, {
        aliasName: `${props.aliasPrefix}/${name}`,
        targetKeyId: key.attrKeyId,
      });
      alias.applyRemovalPolicy(RemovalPolicy.RETAIN);
      keys[name] = key;
    }
    this.keys = keys;
    // The IAM side of the same grant (the key policy alone would suffice; this keeps the role self-describing).
    for (const signer of props.signers) this.grantUse(signer, ['kms:Sign', 'kms:GetPublicKey', 'kms:DescribeKey']);
  }

  /** Read the public keys and metadata (verification, certificate building). Never kms:Sign. */
  grantPublicKey(grantee: iam.IGrantable): iam.Grant {
    return this.grantUse(grantee, ['kms:GetPublicKey', 'kms:DescribeKey', 'kms:Verify']);
  }

  private grantUse(grantee: iam.IGrantable, actions: string[]): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions, resourceArns: Object.values(this.keys).map((k) => k.attrArn) });
  }
}

const keyId = (name: SigningKeyName) =>
  name
    .split('-')
    .map((p) => p.charAt(0).toUpperCase() + p.slice(1))
    .join('');
