import { type CfnElement, Stack, Validations } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, type IConstruct } from 'constructs';

/**
 * Acknowledge a cdk-nag finding on a construct (and everything below it), with the reason in
 * code. cdk-nag v3 reads CDK's native acknowledgements; IAM5 findings are acknowledged one by
 * one as `AwsSolutions-IAM5[Action::...]` / `[Resource::...]`, so each names exactly what it allows.
 */
export const acknowledge = (scope: IConstruct, id: string, reason: string): void => {
  Validations.of(scope).acknowledge({ id, reason });
};

/** Acknowledge wildcard findings a grant puts into the grantee's policy, on the grantee. */
export const acknowledgeGrant = (grantee: iam.IGrantable, findings: readonly string[], reason: string): void => {
  if (!(grantee instanceof Construct)) return;
  for (const f of findings) acknowledge(grantee, `AwsSolutions-IAM5[${f}]`, reason);
};

/** How cdk-nag names a resource in a finding: `<LogicalId.Arn>`. */
export const nagArn = (element: CfnElement): string => `<${Stack.of(element).resolve(element.logicalId)}.Arn>`;

/** The wildcard actions of CDK's grants on a customer-managed KMS key (data key). */
export const DATA_KEY_ACTIONS = ['Action::kms:ReEncrypt*', 'Action::kms:GenerateDataKey*'] as const;
