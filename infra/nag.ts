import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * Acknowledge a cdk-nag finding on a construct (and everything below it), with the reason in
 * code. cdk-nag v3 reads CDK's native acknowledgements; IAM5 findings are acknowledged one by
 * one as `AwsSolutions-IAM5[Action::...]` / `[Resource::...]`.
 */
export const acknowledge = (scope: IConstruct, id: string, reason: string): void => {
  Validations.of(scope).acknowledge({ id, reason });
};
