import { App } from 'aws-cdk-lib';
import { KysoStack, type KysoStackProps } from './kyso-stack.js';

/** Behaviour flags this app is written for (new projects get them from `cdk init`). */
const FEATURE_FLAGS = {
  // Log delivery to the access-log bucket through a bucket policy, not ACLs.
  '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy': true,
  '@aws-cdk/aws-lambda-nodejs:useLatestRuntimeVersion': true,
};

/**
 * Builds the CDK app. Settings come from context (`-c kyso:mailFrom=...` or cdk.json) so
 * one synth serves any account; the stack is environment-agnostic: no lookups, no network.
 */
export const buildApp = (context: Record<string, unknown> = {}, outdir?: string) => {
  const app = new App({ context: { ...FEATURE_FLAGS, ...context }, ...(outdir ? { outdir } : {}) });
  const get = (key: string) => app.node.tryGetContext(`kyso:${key}`) as string | undefined;
  const num = (key: string) => {
    const v = get(key);
    return v === undefined || v === '' ? undefined : Number(v);
  };
  const reserved = get('apiReservedConcurrency');
  const props: KysoStackProps = {
    mailFrom: get('mailFrom') ?? 'no-reply@example.com',
    description: 'Kyso e-contract signing (API, worker, scheduler, keys, data)',
    ...(get('publicUrl') ? { publicUrl: get('publicUrl') } : {}),
    ...(get('keySpec') ? { keySpec: get('keySpec') as KysoStackProps['keySpec'] } : {}),
    ...(get('keyAliasPrefix') ? { keyAliasPrefix: get('keyAliasPrefix') } : {}),
    ...(reserved !== undefined ? { apiReservedConcurrency: reserved === 'none' ? null : Number(reserved) } : {}),
    ...(get('retentionDays') || get('retentionMode')
      ? {
          completedRetention: {
            mode: (get('retentionMode') as 'GOVERNANCE' | 'COMPLIANCE' | undefined) ?? 'GOVERNANCE',
            days: num('retentionDays') ?? 3650,
          },
        }
      : {}),
    ...(get('lockAllObjects') ? { lockAllObjects: String(get('lockAllObjects')) === 'true' } : {}),
    ...(get('corsOrigins') ? { corsOrigins: String(get('corsOrigins')).split(',') } : {}),
    ...(get('alarmEmail') ? { alarmEmail: get('alarmEmail') } : {}),
    ...(get('labourPlatformUrl') || get('labourPlatformClientId')
      ? {
          labourPlatform: {
            ...(get('labourPlatformUrl') ? { url: get('labourPlatformUrl') } : {}),
            ...(get('labourPlatformClientId') ? { clientId: get('labourPlatformClientId') } : {}),
            ...(num('labourPlatformTimeoutMs') ? { timeoutMs: num('labourPlatformTimeoutMs') } : {}),
          },
        }
      : {}),
    ...(get('znsAppId') || get('ekycUrl') || get('oidcIssuer')
      ? {
          providers: {
            ...(get('znsAppId') ? { zns: { appId: get('znsAppId') as string, templates: get('znsTemplates') ?? '' } } : {}),
            ...(get('ekycUrl') ? { ekyc: { url: get('ekycUrl') as string } } : {}),
            ...(get('oidcIssuer')
              ? {
                  oidc: {
                    issuer: get('oidcIssuer') as string,
                    clientId: get('oidcClientId') ?? 'kyso',
                    confidential: get('oidcConfidential') === 'true',
                    ...(get('oidcRequiredAcr') ? { requiredAcr: get('oidcRequiredAcr') } : {}),
                  },
                }
              : {}),
          },
        }
      : {}),
  };
  const stack = new KysoStack(app, (get('stackName') as string | undefined) ?? 'Kyso', props);
  return { app, stack };
};

// `cdk synth|deploy` (see infra/cdk.json) and `npm run synth` both run this file.
if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop() ?? '')) {
  const started = Date.now();
  const { app } = buildApp({}, process.env.CDK_OUTDIR ?? 'cdk.out');
  const assembly = app.synth();
  process.stdout.write(
    `synthesized ${assembly.stacks.map((s) => s.stackName).join(', ')} to ${assembly.directory} in ${Date.now() - started} ms\n`,
  );
}
