import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { PLATFORM_KEYS } from '../../functions/aws/platform-keys.js';
import { TSA_OUTAGE_METRIC } from '../../functions/metrics.js';
import { SIGNING_KEY_NAMES } from '../../infra/constructs/signing-keys.js';
import { API_AWS_REQUEST_TIMEOUT_MS } from '../../infra/kyso-stack.js';
import { asArray, functionId, propsOf, resourcesOf, roleIdOf, synthKyso } from './synth.js';

interface Statement {
  Effect: string;
  Action: string | string[];
  Principal?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

const { template, json } = synthKyso();
const apiRoleId = roleIdOf(json, functionId(json, 'Kyso API'));
const apiRoleArn = { 'Fn::GetAtt': [apiRoleId, 'Arn'] };
const workerRoleId = roleIdOf(json, functionId(json, 'Kyso queue worker'));
const workerRoleArn = { 'Fn::GetAtt': [workerRoleId, 'Arn'] };
const outboxId = functionId(json, 'Kyso outbox worker');
const outboxRoleId = roleIdOf(json, outboxId);
const outboxRoleArn = { 'Fn::GetAtt': [outboxRoleId, 'Arn'] };
const signingKeys = resourcesOf(json, 'AWS::KMS::Key').filter(([, r]) => r.Properties?.KeyUsage === 'SIGN_VERIFY');
const grantsSign = (s: Statement) => s.Effect === 'Allow' && asArray(s.Action).some((a) => a === 'kms:Sign' || a === 'kms:*' || a === '*');

describe('KMS keys', () => {
  it('has an asymmetric SIGN_VERIFY key per platform key, retained, with its alias', () => {
    expect(signingKeys).toHaveLength(4);
    for (const [, key] of signingKeys) {
      expect(key.Properties?.KeySpec).toBe('ECC_NIST_P256');
      expect(key.DeletionPolicy).toBe('Retain');
    }
    for (const name of SIGNING_KEY_NAMES) {
      template.hasResource('AWS::KMS::Alias', { Properties: { AliasName: `alias/kyso/${name}` }, DeletionPolicy: 'Retain' });
    }
  });

  it('creates every key the code resolves by alias', () => {
    expect(SIGNING_KEY_NAMES).toEqual(expect.arrayContaining([...PLATFORM_KEYS]));
  });

  it('lets only the signing functions (API, worker, outbox worker) call kms:Sign, and denies it to everyone else', () => {
    for (const [id] of signingKeys) {
      const statements = (propsOf(json, id).KeyPolicy as { Statement: Statement[] }).Statement;
      const allowSign = statements.filter(grantsSign);
      expect(allowSign).toHaveLength(1);
      expect(allowSign[0]?.Principal).toEqual({ AWS: [apiRoleArn, workerRoleArn, outboxRoleArn] });
      const deny = statements.find((s) => s.Effect === 'Deny' && asArray(s.Action).includes('kms:Sign'));
      expect(deny?.Principal).toEqual({ AWS: '*' });
      expect(deny?.Condition).toEqual({ ArnNotEquals: { 'aws:PrincipalArn': [apiRoleArn, workerRoleArn, outboxRoleArn] } });
    }
  });

  it('puts kms:Sign in no IAM policy but the API, worker and outbox roles’ (never the scheduler’s)', () => {
    const withSign = resourcesOf(json, 'AWS::IAM::Policy').filter(([id]) =>
      (propsOf(json, id).PolicyDocument as { Statement: Statement[] }).Statement.some(grantsSign),
    );
    expect(withSign.map(([, p]) => p.Properties?.Roles).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)))).toEqual(
      [[{ Ref: apiRoleId }], [{ Ref: workerRoleId }], [{ Ref: outboxRoleId }]].sort((a, b) =>
        JSON.stringify(a).localeCompare(JSON.stringify(b)),
      ),
    );
  });

  it('follows the key spec setting (RSA for deployments that need it)', () => {
    const rsa = synthKyso({ context: { 'kyso:keySpec': 'RSA_2048', 'kyso:keyAliasPrefix': 'alias/acme' } });
    rsa.template.resourcePropertiesCountIs('AWS::KMS::Key', { KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' }, 4);
    rsa.template.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/acme/root-ca' });
  });

  it('encrypts data with a rotated symmetric key', () => {
    template.hasResource('AWS::KMS::Key', { Properties: { EnableKeyRotation: true, KeySpec: Match.absent() }, DeletionPolicy: 'Retain' });
  });
});

describe('documents bucket', () => {
  const [bucketId, bucket] = resourcesOf(json, 'AWS::S3::Bucket').find(([, b]) => b.Properties?.ObjectLockEnabled) ?? [];

  it('is versioned, SSE-KMS with our key, private, logged, with Object Lock and revision lifecycle', () => {
    expect(bucket?.DeletionPolicy).toBe('Retain');
    expect(bucket?.Properties).toMatchObject({
      VersioningConfiguration: { Status: 'Enabled' },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          {
            ServerSideEncryptionByDefault: {
              SSEAlgorithm: 'aws:kms',
              KMSMasterKeyID: { 'Fn::GetAtt': [expect.stringMatching(/^DataKey/), 'Arn'] },
            },
          },
        ],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LoggingConfiguration: { DestinationBucketName: { Ref: expect.stringMatching(/AccessLogs/) } },
      LifecycleConfiguration: {
        Rules: [
          expect.objectContaining({ NoncurrentVersionExpiration: { NoncurrentDays: 365 } }),
          expect.objectContaining({ Prefix: 'uploads/', ExpirationInDays: 2 }),
          expect.objectContaining({ Prefix: 'signing-sessions/', ExpirationInDays: 2 }),
          ...[30, 90, 180, 365].map((days) =>
            expect.objectContaining({
              Prefix: 'identity/',
              TagFilters: [{ Key: 'kyso-identity-days', Value: String(days) }],
              ExpirationInDays: days,
              NoncurrentVersionExpiration: { NoncurrentDays: 1 },
            }),
          ),
          expect.objectContaining({ Prefix: 'identity/', ExpirationInDays: 365, NoncurrentVersionExpiration: { NoncurrentDays: 1 } }),
          // Personal-data export archives (issue 17): by tag, under the tenants' prefixes, gone after 3 days.
          expect.objectContaining({
            Prefix: 'tenants/',
            TagFilters: [{ Key: 'kyso-personal-export', Value: 'true' }],
            ExpirationInDays: 3,
            NoncurrentVersionExpiration: { NoncurrentDays: 1 },
          }),
        ],
      },
    });
    // Only completed documents are locked (by the app): drafts stay deletable unless asked otherwise.
    expect(bucket?.Properties?.ObjectLockConfiguration).toBeUndefined();
  });

  it('refuses plain HTTP', () => {
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: bucketId },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('can lock every object by default, governance mode unless told otherwise', () => {
    const locked = synthKyso({ context: { 'kyso:lockAllObjects': 'true', 'kyso:retentionDays': '2555' } });
    locked.template.hasResourceProperties('AWS::S3::Bucket', {
      ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 2555 } } },
    });
  });
});

describe('table', () => {
  it('is on-demand, PITR, deletion-protected, KMS-encrypted, with TTL on `ttl`', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      Properties: {
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
        TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
      },
    });
  });
});

describe('functions', () => {
  it('run Node 22 on arm64 with JSON logs into retained log groups', () => {
    template.resourcePropertiesCountIs(
      'AWS::Lambda::Function',
      {
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        LoggingConfig: Match.objectLike({ LogFormat: 'JSON' }),
        // Powertools' tracer: X-Ray subsegments per AWS call (issue 18).
        TracingConfig: { Mode: 'Active' },
      },
      8,
    );
    template.resourcePropertiesCountIs('AWS::Logs::LogGroup', { RetentionInDays: 365 }, 9);
  });

  it('caps the signing function’s concurrency and hands it the config loadConfig reads', () => {
    const api = propsOf(json, functionId(json, 'Kyso API'));
    expect(api.ReservedConcurrentExecutions).toBe(50);
    expect(api.Handler).toBe('functions/api/routes/index.handler');
    const env = (api.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(Object.keys(env)).toEqual(
      expect.arrayContaining(['KYSO_TABLE', 'KYSO_BUCKET', 'KYSO_MAIL_FROM', 'KYSO_KEY_SPEC', 'KYSO_KEY_ALIAS_PREFIX', 'PUBLIC_URL']),
    );
    expect(env).toMatchObject({ KYSO_LOCAL: '0', KYSO_KEY_ALIAS_PREFIX: 'alias/kyso', KYSO_MAIL_FROM: 'no-reply@mail.example.vn' });
  });
});

describe('HTTP API', () => {
  it('sends every route to the API function with payload 2.0, throttled and access-logged', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', { ProtocolType: 'HTTP' });
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: '$default' });
    template.hasResourceProperties('AWS::ApiGatewayV2::Integration', { IntegrationType: 'AWS_PROXY', PayloadFormatVersion: '2.0' });
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 },
      AccessLogSettings: Match.objectLike({ DestinationArn: Match.anyValue() }),
    });
  });
});

describe('queues, schedules, mail', () => {
  it('gives every job queue a dead-letter queue, all encrypted', () => {
    const queues = resourcesOf(json, 'AWS::SQS::Queue');
    const withDlq = queues.filter(([, q]) => q.Properties?.RedrivePolicy);
    expect(withDlq).toHaveLength(5);
    for (const [, q] of withDlq) expect(q.Properties?.RedrivePolicy).toMatchObject({ maxReceiveCount: 5 });
    for (const [, q] of queues) expect(q.Properties?.SqsManagedSseEnabled).toBe(true);
    // 5 queues + the table's stream (the outbox worker).
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 6);
  });

  it('never polls with more concurrency than the worker has reserved (throttles would feed the DLQs)', () => {
    const pollers = resourcesOf(json, 'AWS::Lambda::EventSourceMapping')
      // The queues' pollers (the table stream's mapping has no ScalingConfig).
      .filter(([id]) => propsOf(json, id).ScalingConfig)
      .map(([id]) => (propsOf(json, id).ScalingConfig as { MaximumConcurrency: number }).MaximumConcurrency);
    expect(pollers).toHaveLength(5);
    // The worker polls three queues, the labour function the labour queue (issue 13), the export function the
    // exports queue (issue 17): each within its own reservation.
    for (const [prefix, queues] of [
      ['Kyso queue worker', 3],
      ['Kyso labour registrations', 1],
      ['Kyso personal-data exports', 1],
    ] as const) {
      const fnId = functionId(json, prefix);
      const mine = resourcesOf(json, 'AWS::Lambda::EventSourceMapping')
        .filter(([id]) => propsOf(json, id).ScalingConfig && JSON.stringify(propsOf(json, id).FunctionName).includes(fnId))
        .map(([id]) => (propsOf(json, id).ScalingConfig as { MaximumConcurrency: number }).MaximumConcurrency);
      expect(mine, prefix).toHaveLength(queues);
      const reserved = propsOf(json, fnId).ReservedConcurrentExecutions as number;
      expect(mine.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(reserved);
    }
  });

  it('lets the API create tenant seal keys and sign only with keys aliased <prefix>/tenant/*/seal', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'UseTenantSealKeys',
            Action: ['kms:Sign', 'kms:GetPublicKey', 'kms:DescribeKey'],
            Condition: { 'ForAnyValue:StringLike': { 'kms:ResourceAliases': 'alias/kyso/tenant/*/seal' } },
          }),
        ]),
      },
    });
  });

  it('gives the scheduler the public URL (reminder emails carry signing links)', () => {
    const sweeper = propsOf(json, functionId(json, 'Kyso scheduler'));
    expect(Object.keys((sweeper.Environment as { Variables: Record<string, unknown> }).Variables)).toContain('PUBLIC_URL');
  });

  it('runs reminder and expiry sweeps on EventBridge Scheduler with a DLQ', () => {
    for (const task of ['reminders', 'expiry', 'labour-registrations']) {
      template.hasResourceProperties('AWS::Scheduler::Schedule', {
        Target: Match.objectLike({ Input: JSON.stringify({ task }), DeadLetterConfig: { Arn: Match.anyValue() } }),
      });
    }
  });

  it('has an SES identity for the mail-from domain and a TLS-only configuration set', () => {
    template.hasResourceProperties('AWS::SES::EmailIdentity', { EmailIdentity: 'mail.example.vn' });
    template.hasResourceProperties('AWS::SES::ConfigurationSet', { DeliveryOptions: { TlsPolicy: 'REQUIRE' } });
  });
});

describe('outbox (issue 14)', () => {
  it('streams the table’s keys to the outbox worker, envelope items only, with partial batch failures and a DLQ', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', { StreamSpecification: { StreamViewType: 'KEYS_ONLY' } });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: outboxId },
      EventSourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^StateTable'), 'StreamArn'] },
      StartingPosition: 'LATEST',
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 8,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [Match.stringLikeRegexp('^OutboxStreamDlq'), 'Arn'] } } },
      FilterCriteria: {
        Filters: [
          { Pattern: JSON.stringify({ eventName: ['INSERT', 'MODIFY'], dynamodb: { Keys: { sk: { S: [{ prefix: 'ENV#' }] } } } }) },
        ],
      },
    });
  });

  it('runs the repair sweep on the outbox worker every 5 minutes (the scheduler function has no KMS Sign nor S3)', () => {
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(5 minutes)',
      Target: Match.objectLike({
        Arn: { 'Fn::GetAtt': [outboxId, 'Arn'] },
        Input: JSON.stringify({ task: 'outbox' }),
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^OutboxRepairDlq'), 'Arn'] } },
      }),
    });
    const outbox = propsOf(json, outboxId);
    expect(outbox.Handler).toBe('index.handler');
    expect(Object.keys((outbox.Environment as { Variables: Record<string, unknown> }).Variables)).toEqual(
      expect.arrayContaining([
        'KYSO_TABLE',
        'KYSO_BUCKET',
        'KYSO_MAIL_FROM',
        'KYSO_KEY_ALIAS_PREFIX',
        'PUBLIC_URL',
        'KYSO_QUEUE_WEBHOOKS_URL',
      ]),
    );
  });

  it('runs the retention sweep (archives, timestamp renewals) on the outbox worker, which may lock objects (issue 17)', () => {
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(6 hours)',
      Target: Match.objectLike({ Arn: { 'Fn::GetAtt': [outboxId, 'Arn'] }, Input: JSON.stringify({ task: 'retention' }) }),
    });
    const lockActions = (roleId: string) =>
      resourcesOf(json, 'AWS::IAM::Policy')
        .filter(([, p]) => JSON.stringify(p.Properties?.Roles) === JSON.stringify([{ Ref: roleId }]))
        .flatMap(([id]) => (propsOf(json, id).PolicyDocument as { Statement: Statement[] }).Statement)
        .flatMap((st) => asArray(st.Action))
        .filter((a) => /Retention|LegalHold/.test(a));
    for (const roleId of [outboxRoleId, apiRoleId]) {
      expect([...new Set(lockActions(roleId))].sort(), roleId).toEqual([
        's3:GetObjectLegalHold',
        's3:GetObjectRetention',
        's3:PutObjectLegalHold',
        's3:PutObjectRetention',
      ]);
    }
    // Nobody may shorten a lock, and the scheduler function locks nothing.
    expect(JSON.stringify(json)).not.toContain('s3:BypassGovernanceRetention');
    expect(lockActions(roleIdOf(json, functionId(json, 'Kyso scheduler')))).toEqual([]);
    const outbox = propsOf(json, outboxId);
    expect((outbox.Environment as { Variables: Record<string, unknown> }).Variables).toMatchObject({ KYSO_LOCK_MODE: 'GOVERNANCE' });
  });

  it('gives the outbox worker only what effects need: table, documents, mail, SMS (no topics), job queues, signing keys', () => {
    const statements = resourcesOf(json, 'AWS::IAM::Policy')
      .filter(([, p]) => JSON.stringify(p.Properties?.Roles) === JSON.stringify([{ Ref: outboxRoleId }]))
      .flatMap(
        ([id]) =>
          (propsOf(json, id).PolicyDocument as { Statement: (Statement & { Resource?: unknown; NotResource?: unknown })[] }).Statement,
      );
    const actions = new Set(statements.flatMap((s) => asArray(s.Action)));
    for (const a of [
      'kms:Sign',
      'sns:Publish',
      'ses:SendEmail',
      's3:PutObject',
      'sqs:SendMessage',
      'dynamodb:PutItem',
      'dynamodb:GetRecords',
    ]) {
      expect(actions.has(a), a).toBe(true);
    }
    // secretsmanager:GetSecretValue: the provider credentials only (Zalo invitations), never the admin key — see below.
    for (const a of ['kms:CreateKey', 'kms:CreateAlias', 'sqs:ReceiveMessage', 'sqs:DeleteMessage', 'iam:PassRole']) {
      expect(actions.has(a), a).toBe(false);
    }
    expect(statements.find((s) => asArray(s.Action).includes('sns:Publish'))).toMatchObject({ NotResource: 'arn:aws:sns:*:*:*' });
    // Without resource-level permissions: the stream listing, and X-Ray's (active tracing, functions/tracer.ts).
    expect(
      statements
        .filter((s) => s.Resource === '*')
        .flatMap((s) => asArray(s.Action))
        .sort(),
    ).toEqual(['dynamodb:ListStreams', 'xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
  });

  it('alarms when an effect stays owed (OutboxStuck, from the repair sweep’s error logs)', () => {
    template.hasResourceProperties('AWS::Logs::MetricFilter', {
      FilterPattern: '{ $.message = "owed effect stuck" }',
      MetricTransformations: [Match.objectLike({ MetricName: 'OutboxStuck', MetricNamespace: 'Kyso' })],
    });
    const alarms = resourcesOf(json, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties ?? {});
    expect(alarms.some((a) => a.MetricName === 'OutboxStuck' && a.Threshold === 0)).toBe(true);
  });
});

describe('SMS delivery receipts (issue 12)', () => {
  const smsId = functionId(json, 'Kyso SMS delivery receipts');
  const smsRoleId = roleIdOf(json, smsId);
  const groups = resourcesOf(json, 'AWS::Logs::LogGroup').filter(([, g]) =>
    JSON.stringify(g.Properties?.LogGroupName ?? '').includes('DirectPublishToPhoneNumber'),
  );

  it('makes both SNS delivery-status log groups with a short retention and subscribes the receipts function to each', () => {
    expect(groups.map(([, g]) => g.Properties?.RetentionInDays)).toEqual([30, 30]);
    const filters = resourcesOf(json, 'AWS::Logs::SubscriptionFilter').map(([, f]) => f.Properties ?? {});
    expect(filters).toHaveLength(2);
    for (const f of filters) {
      expect(f.DestinationArn).toEqual({ 'Fn::GetAtt': [smsId, 'Arn'] });
      expect(f.FilterPattern).toBe('');
    }
    expect(filters.map((f) => (f.LogGroupName as { Ref: string }).Ref).sort()).toEqual(groups.map(([id]) => id).sort());
    template.hasResourceProperties('AWS::Lambda::Permission', {
      FunctionName: { 'Fn::GetAtt': [smsId, 'Arn'] },
      Principal: 'logs.amazonaws.com',
    });
  });

  it('switches delivery-status logging on with a role SNS may assume that writes only those groups', () => {
    const cr = resourcesOf(json, 'Custom::AWS').map(([, r]) => JSON.stringify(r.Properties ?? {}));
    expect(cr.some((p) => p.includes('setSMSAttributes') && p.includes('DeliveryStatusIAMRole') && p.includes('Transactional'))).toBe(true);
    const role = resourcesOf(json, 'AWS::IAM::Role').find(([, r]) =>
      JSON.stringify(r.Properties?.AssumeRolePolicyDocument).includes('sns.amazonaws.com'),
    );
    expect(role).toBeDefined();
    const writes = resourcesOf(json, 'AWS::IAM::Policy')
      .filter(([, p]) => JSON.stringify(p.Properties?.Roles) === JSON.stringify([{ Ref: role?.[0] }]))
      .flatMap(([id]) => (propsOf(json, id).PolicyDocument as { Statement: (Statement & { Resource?: unknown })[] }).Statement);
    expect(writes.flatMap((s) => asArray(s.Action)).sort()).toEqual([
      'logs:CreateLogStream',
      'logs:DescribeLogStreams',
      'logs:PutLogEvents',
    ]);
    expect(JSON.stringify(writes.map((s) => s.Resource))).not.toContain('"*"');
  });

  it('gives the receipts function the table and nothing that signs, sends or reads documents', () => {
    const actions = new Set(
      resourcesOf(json, 'AWS::IAM::Policy')
        .filter(([, p]) => JSON.stringify(p.Properties?.Roles) === JSON.stringify([{ Ref: smsRoleId }]))
        .flatMap(([id]) => (propsOf(json, id).PolicyDocument as { Statement: Statement[] }).Statement)
        .flatMap((s) => asArray(s.Action)),
    );
    expect(actions.has('dynamodb:UpdateItem')).toBe(true);
    for (const a of [
      'kms:Sign',
      's3:GetObject',
      's3:PutObject',
      'ses:SendEmail',
      'sns:Publish',
      'sqs:SendMessage',
      'secretsmanager:GetSecretValue',
    ]) {
      expect(actions.has(a), a).toBe(false);
    }
  });
});

describe('email receipts: SES events (issue 18)', () => {
  const eventsId = functionId(json, 'Kyso email receipts');
  const eventsRoleId = roleIdOf(json, eventsId);
  const [configurationSetId] = resourcesOf(json, 'AWS::SES::ConfigurationSet').map(([id]) => id);
  const topics = resourcesOf(json, 'AWS::SNS::Topic').filter(([, t]) => t.Properties?.DisplayName === 'Kyso mail events (SES)');
  const topicId = topics[0]?.[0] as string;

  it('publishes send, bounce, complaint, delivery, reject and rendering-failure events of the configuration set to an encrypted topic', () => {
    expect(topics).toHaveLength(1);
    expect(propsOf(json, topicId).KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^DataKey/), 'Arn'] });
    const [destination] = resourcesOf(json, 'AWS::SES::ConfigurationSetEventDestination').map(([, d]) => d.Properties ?? {});
    expect(destination?.ConfigurationSetName).toEqual({ Ref: configurationSetId });
    const ed = destination?.EventDestination as { Enabled: boolean; MatchingEventTypes: string[]; SnsDestination: unknown };
    expect(ed.Enabled).toBe(true);
    // send: SES took a message; its tag names the outbox item that owed it (an email is never sent twice after a crash).
    expect([...ed.MatchingEventTypes].sort()).toEqual(['bounce', 'complaint', 'delivery', 'reject', 'renderingFailure', 'send']);
    expect(ed.SnsDestination).toEqual({ TopicARN: { Ref: topicId } });
  });

  it('lets SES publish to the topic and use its key only for this account and configuration set, over TLS only', () => {
    const policies = resourcesOf(json, 'AWS::SNS::TopicPolicy')
      .filter(([, p]) => JSON.stringify(p.Properties?.Topics) === JSON.stringify([{ Ref: topicId }]))
      .flatMap(([id]) => (propsOf(json, id).PolicyDocument as { Statement: Statement[] }).Statement);
    const ses = policies.find((s) => JSON.stringify(s.Principal).includes('ses.amazonaws.com'));
    expect(ses).toMatchObject({ Effect: 'Allow', Action: 'sns:Publish' });
    expect(Object.keys(ses?.Condition?.StringEquals ?? {}).sort()).toEqual(['AWS:SourceAccount', 'AWS:SourceArn']);
    expect(policies.some((s) => s.Effect === 'Deny' && JSON.stringify(s.Condition).includes('aws:SecureTransport'))).toBe(true);
    const [dataKeyId] = resourcesOf(json, 'AWS::KMS::Key').find(([id]) => id.startsWith('DataKey')) ?? [''];
    const keyStatements = (propsOf(json, dataKeyId).KeyPolicy as { Statement: Statement[] }).Statement;
    const sesKey = keyStatements.find((s) => JSON.stringify(s.Principal).includes('ses.amazonaws.com'));
    expect(asArray(sesKey?.Action).sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey*']);
    expect(JSON.stringify(sesKey?.Condition?.StringEquals?.['aws:SourceArn'])).toContain(':configuration-set/');
    expect(sesKey?.Condition?.StringEquals?.['aws:SourceAccount']).toEqual({ Ref: 'AWS::AccountId' });
  });

  it('subscribes the email receipts function to the topic (and only it)', () => {
    const subs = resourcesOf(json, 'AWS::SNS::Subscription').filter(
      ([, s]) => JSON.stringify(s.Properties?.TopicArn) === JSON.stringify({ Ref: topicId }),
    );
    expect(subs.map(([, s]) => [s.Properties?.Protocol, s.Properties?.Endpoint])).toEqual([
      ['lambda', { 'Fn::GetAtt': [eventsId, 'Arn'] }],
    ]);
    template.hasResourceProperties('AWS::Lambda::Permission', {
      FunctionName: { 'Fn::GetAtt': [eventsId, 'Arn'] },
      Principal: 'sns.amazonaws.com',
      SourceArn: { Ref: topicId },
    });
    expect(propsOf(json, eventsId).TracingConfig).toEqual({ Mode: 'Active' });
  });

  it('gives the email receipts function the table and nothing that signs, sends or reads documents', () => {
    const actions = new Set(
      resourcesOf(json, 'AWS::IAM::Policy')
        .filter(([, p]) => JSON.stringify(p.Properties?.Roles) === JSON.stringify([{ Ref: eventsRoleId }]))
        .flatMap(([id]) => (propsOf(json, id).PolicyDocument as { Statement: Statement[] }).Statement)
        .flatMap((s) => asArray(s.Action)),
    );
    expect(actions.has('dynamodb:UpdateItem')).toBe(true);
    for (const a of actions) expect(a, a).toMatch(/^(dynamodb|kms|xray):/);
    for (const a of ['kms:Sign', 's3:GetObject', 'ses:SendEmail', 'sns:Publish', 'sqs:SendMessage', 'secretsmanager:GetSecretValue']) {
      expect(actions.has(a), a).toBe(false);
    }
  });
});

describe('alarms and outputs', () => {
  const alarms = resourcesOf(json, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties ?? {});

  it('alarms on 5xx rate, every DLQ, KMS throttling and function errors, to the alarm topic', () => {
    expect(alarms.some((a) => JSON.stringify(a.Metrics ?? '').includes('100 * errors / requests'))).toBe(true);
    // 5 job queues, the schedules, the outbox stream and the repair schedule.
    expect(alarms.filter((a) => a.MetricName === 'ApproximateNumberOfMessagesVisible')).toHaveLength(8);
    expect(alarms.some((a) => a.MetricName === 'LabourRegistrationsLate' && a.Namespace === 'Kyso')).toBe(true);
    expect(alarms.filter((a) => a.MetricName === 'Errors' && a.Namespace === 'AWS/Lambda')).toHaveLength(8);
    expect(alarms.some((a) => a.MetricName === 'KmsThrottles')).toBe(true);
    expect(alarms.some((a) => a.Namespace === 'AWS/Usage')).toBe(true);
    for (const a of alarms) expect(a.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^AlarmsTopic/) }]);
    template.hasResourceProperties('AWS::Logs::MetricFilter', { FilterPattern: '{ $.error = "ThrottlingException" }' });
  });

  it('alarms on the first refused signature when a required external TSA is down (the metric the code emits)', () => {
    const tsa = alarms.filter((a) => a.MetricName === TSA_OUTAGE_METRIC.name);
    expect(tsa).toHaveLength(1);
    expect(tsa[0]).toMatchObject({
      Namespace: TSA_OUTAGE_METRIC.namespace,
      Dimensions: [{ Name: 'service', Value: TSA_OUTAGE_METRIC.service }],
      Statistic: 'Sum',
      Period: 300,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: expect.stringMatching(/^AlarmsTopic/) }],
    });
  });

  it('outputs the API URL, bucket, table and where the admin key is', () => {
    expect(Object.keys(json.Outputs ?? {})).toEqual(
      expect.arrayContaining(['ApiUrl', 'DocumentsBucketName', 'TableName', 'AdminKeySecretArn']),
    );
  });
});

describe('Admin key and provider credentials', () => {
  const secrets = resourcesOf(json, 'AWS::SecretsManager::Secret');
  const secretNamed = (prefix: string) => {
    const found = secrets.find(([, r]) => String(r.Properties?.Description ?? '').startsWith(prefix));
    if (!found) throw new Error(`no secret described "${prefix}..."`);
    return found;
  };
  /** The roles whose policies allow GetSecretValue on this secret. */
  const readersOf = (secretId: string) =>
    resourcesOf(json, 'AWS::IAM::Policy')
      .filter(([id]) =>
        (propsOf(json, id).PolicyDocument as { Statement: (Statement & { Resource?: unknown })[] }).Statement.some(
          (s) =>
            s.Effect === 'Allow' &&
            asArray(s.Action).includes('secretsmanager:GetSecretValue') &&
            JSON.stringify(s.Resource).includes(`"${secretId}"`),
        ),
      )
      .map(([, p]) => p.Properties?.Roles);
  const envOf = (description: string) =>
    (propsOf(json, functionId(json, description)).Environment as { Variables: Record<string, unknown> }).Variables;

  it('the admin key is generated by Secrets Manager, encrypted with the data key, retained, and named to the API by ARN only', () => {
    const [id, secret] = secretNamed('Kyso admin key');
    expect(secret.Properties?.GenerateSecretString).toMatchObject({ PasswordLength: 48, ExcludePunctuation: true });
    expect(secret.Properties?.KmsKeyId).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^DataKey/), 'Arn'] });
    expect(secret.DeletionPolicy).toBe('Retain');
    const env = envOf('Kyso API');
    expect(env.KYSO_ADMIN_KEY_SECRET_ID).toEqual({ Ref: id });
    expect(Object.keys(env)).not.toContain('KYSO_ADMIN_KEY');
  });

  it('the API bounds each AWS call attempt so a hanging dependency answers 503 before API Gateway cuts at 29 s', () => {
    const timeout = Number(envOf('Kyso API').KYSO_AWS_REQUEST_TIMEOUT_MS);
    expect(timeout).toBe(API_AWS_REQUEST_TIMEOUT_MS);
    // DynamoDB's client makes up to 4 attempts (functions/aws/clients.ts).
    expect(4 * timeout).toBeLessThan(29_000);
    // The workers have no 29 s cut: they keep the SDK's default (a slow answer is not a failure there).
    expect(envOf('Kyso outbox worker').KYSO_AWS_REQUEST_TIMEOUT_MS).toBeUndefined();
  });

  it('the admin key can be read by the API role only', () => {
    expect(readersOf(secretNamed('Kyso admin key')[0])).toEqual([[{ Ref: apiRoleId }]]);
  });

  it('provider credentials: one empty JSON secret the operator fills, encrypted, retained, read only by the API and the outbox worker', () => {
    const [id, secret] = secretNamed('Kyso provider credentials');
    expect(secret.Properties?.SecretString).toBe('{}');
    expect(secret.Properties?.KmsKeyId).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^DataKey/), 'Arn'] });
    expect(secret.DeletionPolicy).toBe('Retain');
    expect(readersOf(id).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)))).toEqual(
      [[{ Ref: apiRoleId }], [{ Ref: outboxRoleId }]].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
    );
    for (const fn of ['Kyso API', 'Kyso outbox worker']) expect(envOf(fn).KYSO_PROVIDER_SECRETS_ID).toEqual({ Ref: id });
    expect(envOf('Kyso queue worker').KYSO_PROVIDER_SECRETS_ID).toBeUndefined();
  });

  it('passes the providers’ settings, never their credentials, to the functions that call them', () => {
    const { json: withProviders } = synthKyso({
      context: {
        'kyso:znsAppId': '4321',
        'kyso:znsTemplates': 'invitation=1,otp=2',
        'kyso:ekycUrl': 'https://api.fpt.ai',
        'kyso:oidcIssuer': 'https://id.example.vn',
        'kyso:oidcConfidential': 'true',
      },
    });
    for (const fn of ['Kyso API', 'Kyso outbox worker']) {
      const env = (propsOf(withProviders, functionId(withProviders, fn)).Environment as { Variables: Record<string, unknown> }).Variables;
      expect(env).toMatchObject({
        KYSO_ZNS_APP_ID: '4321',
        KYSO_ZNS_TEMPLATES: 'invitation=1,otp=2',
        KYSO_EKYC_URL: 'https://api.fpt.ai',
        KYSO_OIDC_ISSUER: 'https://id.example.vn',
        KYSO_OIDC_CONFIDENTIAL: '1',
      });
      for (const k of [
        'KYSO_ZNS_SECRET_KEY',
        'KYSO_ZNS_REFRESH_TOKEN',
        'KYSO_ZNS_OA_SECRET_KEY',
        'KYSO_EKYC_API_KEY',
        'KYSO_OIDC_CLIENT_SECRET',
      ])
        expect(Object.keys(env)).not.toContain(k);
    }
  });
});

describe('Labour platform client secret (issue 13)', () => {
  const labourId = functionId(json, 'Kyso labour registrations');
  const labourRoleId = roleIdOf(json, labourId);
  const [secretId, secret] = resourcesOf(json, 'AWS::SecretsManager::Secret').find(([id]) => id.startsWith('LabourPlatform')) ?? [];
  const readers = (id: string) =>
    resourcesOf(json, 'AWS::IAM::Policy').filter(([pid]) =>
      (propsOf(json, pid).PolicyDocument as { Statement: (Statement & { Resource?: unknown })[] }).Statement.some(
        (s) =>
          s.Effect === 'Allow' &&
          asArray(s.Action).includes('secretsmanager:GetSecretValue') &&
          JSON.stringify(s.Resource ?? '').includes(id),
      ),
    );

  it('is created by the stack (generated placeholder), encrypted with the data key, retained', () => {
    expect(secret?.Properties?.GenerateSecretString).toMatchObject({ ExcludePunctuation: true });
    expect(secret?.Properties?.KmsKeyId).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^DataKey/), 'Arn'] });
    expect(secret?.DeletionPolicy).toBe('Retain');
    expect(Object.keys(json.Outputs ?? {})).toContain('LabourPlatformSecretArn');
  });

  it('can be read only by the function that delivers registrations, which alone consumes the labour queue', () => {
    expect(readers(secretId as string).map(([, p]) => p.Properties?.Roles)).toEqual([[{ Ref: labourRoleId }]]);
    const env = (fnId: string) => (propsOf(json, fnId).Environment as { Variables: Record<string, unknown> }).Variables;
    expect(env(labourId).KYSO_LABOUR_PLATFORM_CLIENT_SECRET_ID).toEqual({ Ref: secretId });
    for (const other of ['Kyso API', 'Kyso queue worker', 'Kyso scheduler', 'Kyso outbox worker']) {
      expect(
        Object.keys(env(functionId(json, other))).filter((k) => k.startsWith('KYSO_LABOUR_PLATFORM')),
        other,
      ).toEqual([]);
    }
    const labourQueue = resourcesOf(json, 'AWS::Lambda::EventSourceMapping').filter(([id]) =>
      JSON.stringify(propsOf(json, id).FunctionName).includes(labourId),
    );
    expect(labourQueue).toHaveLength(1);
    expect(JSON.stringify(propsOf(json, labourQueue[0]?.[0] as string).EventSourceArn)).toMatch(/JobslabourQueue|Jobs.*labour/i);
  });

  it('passes KYSO_LABOUR_PLATFORM_URL / _CLIENT_ID / _TIMEOUT_MS from context; never the secret value', () => {
    const { json: withPlatform } = synthKyso({
      context: {
        'kyso:labourPlatformUrl': 'https://hdld.example.gov.vn',
        'kyso:labourPlatformClientId': 'kyso-client',
        'kyso:labourPlatformTimeoutMs': '8000',
      },
    });
    const vars = (
      propsOf(withPlatform, functionId(withPlatform, 'Kyso labour registrations')).Environment as {
        Variables: Record<string, unknown>;
      }
    ).Variables;
    expect(vars).toMatchObject({
      KYSO_LABOUR_PLATFORM_URL: 'https://hdld.example.gov.vn',
      KYSO_LABOUR_PLATFORM_CLIENT_ID: 'kyso-client',
      KYSO_LABOUR_PLATFORM_TIMEOUT_MS: '8000',
    });
    expect(Object.keys(vars)).not.toContain('KYSO_LABOUR_PLATFORM_CLIENT_SECRET');
  });
});

describe('deep health check (issue 14)', () => {
  const statementsOf = (roleId: string) =>
    resourcesOf(json, 'AWS::IAM::Policy')
      .filter(([, p]) => JSON.stringify(p.Properties?.Roles) === JSON.stringify([{ Ref: roleId }]))
      .flatMap(
        ([id]) => (propsOf(json, id).PolicyDocument as { Statement: (Statement & { Resource?: unknown; Sid?: string })[] }).Statement,
      );

  it('lets the API role make exactly the reads GET /health?deep=1 makes: SES quota, SNS SMS settings, DescribeSecret of its own secrets', () => {
    const api = statementsOf(apiRoleId);
    expect(api.filter((s) => s.Sid === 'HealthChecks')).toEqual([
      { Sid: 'HealthChecks', Effect: 'Allow', Action: ['ses:GetSendQuota', 'sns:GetSMSAttributes'], Resource: '*' },
    ]);
    // Nothing else without a resource: the tenant seal keys' CreateKey and X-Ray's writes.
    expect(
      api
        .filter((s) => s.Resource === '*')
        .flatMap((s) => asArray(s.Action))
        .sort(),
    ).toEqual(['kms:CreateKey', 'ses:GetSendQuota', 'sns:GetSMSAttributes', 'xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
    // DescribeSecret on exactly the secrets the API is told about (and reads), never a listing.
    const env = (propsOf(json, functionId(json, 'Kyso API')).Environment as { Variables: Record<string, unknown> }).Variables;
    const described = api.filter((s) => asArray(s.Action).includes('secretsmanager:DescribeSecret')).map((s) => s.Resource);
    expect(described.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)))).toEqual(
      [env.KYSO_ADMIN_KEY_SECRET_ID, env.KYSO_PROVIDER_SECRETS_ID].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
    );
    const all = api.flatMap((s) => asArray(s.Action));
    for (const broad of ['secretsmanager:ListSecrets', 'ses:*', 'sns:*', 'secretsmanager:*']) expect(all).not.toContain(broad);
  });

  it('gives those reads to no other function', () => {
    const others = resourcesOf(json, 'AWS::IAM::Policy')
      .filter(([, p]) => JSON.stringify(p.Properties?.Roles) !== JSON.stringify([{ Ref: apiRoleId }]))
      .flatMap(([id]) => (propsOf(json, id).PolicyDocument as { Statement: Statement[] }).Statement)
      .flatMap((s) => asArray(s.Action));
    expect(others).not.toContain('ses:GetSendQuota');
    expect(others).not.toContain('sns:GetSMSAttributes');
  });
});

describe('personal-data exports (issue 17)', () => {
  const exportId = functionId(json, 'Kyso personal-data exports');
  const exportRoleId = roleIdOf(json, exportId);
  const statementsOf = (roleId: string) =>
    resourcesOf(json, 'AWS::IAM::Policy')
      .filter(([, p]) => JSON.stringify(p.Properties?.Roles) === JSON.stringify([{ Ref: roleId }]))
      .flatMap(
        ([id]) =>
          (propsOf(json, id).PolicyDocument as { Statement: (Statement & { Resource?: unknown; NotResource?: unknown })[] }).Statement,
      );

  it('runs on its own queue, one job at a time per poller, within its reservation and under the visibility timeout', () => {
    const fn = propsOf(json, exportId);
    expect(fn.Timeout).toBe(300);
    expect(fn.ReservedConcurrentExecutions).toBe(2);
    const mappings = resourcesOf(json, 'AWS::Lambda::EventSourceMapping').filter(([id]) =>
      JSON.stringify(propsOf(json, id).FunctionName).includes(exportId),
    );
    expect(mappings).toHaveLength(1);
    expect(JSON.stringify(propsOf(json, mappings[0]?.[0] as string).EventSourceArn)).toMatch(/Jobsexports/i);
    expect(propsOf(json, mappings[0]?.[0] as string).BatchSize).toBe(1);
  });

  it('may read documents, list identity keys and write archives only, under the tenants’ prefixes; no deletes, no mail, no signing', () => {
    const statements = statementsOf(exportRoleId);
    const actions = new Set(statements.flatMap((s) => asArray(s.Action)));
    for (const a of ['s3:GetObject*', 's3:PutObject', 's3:ListBucket', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem']) {
      expect(actions.has(a), a).toBe(true);
    }
    for (const a of [
      's3:DeleteObject*',
      's3:PutObjectRetention',
      's3:PutObjectLegalHold',
      'dynamodb:DeleteItem',
      'dynamodb:BatchWriteItem',
      'kms:Sign',
      'ses:SendEmail',
      'sns:Publish',
      'sqs:SendMessage',
      'secretsmanager:GetSecretValue',
    ]) {
      expect(actions.has(a), a).toBe(false);
    }
    const s3Resources = JSON.stringify(statements.filter((s) => asArray(s.Action).some((a) => a.startsWith('s3:'))).map((s) => s.Resource));
    expect(s3Resources).toContain('/tenants/*/envelopes/*');
    expect(s3Resources).toContain('/tenants/*/data-subject-exports/*');
    const list = statements.find((s) => asArray(s.Action).includes('s3:ListBucket'));
    expect(list?.Condition).toEqual({ StringLike: { 's3:prefix': ['identity/*'] } });
  });

  it('lets only the API enqueue exports', () => {
    const senders = resourcesOf(json, 'AWS::IAM::Policy')
      .filter(([id]) =>
        (propsOf(json, id).PolicyDocument as { Statement: (Statement & { Resource?: unknown })[] }).Statement.some(
          (s) => asArray(s.Action).includes('sqs:SendMessage') && /Jobsexports/i.test(JSON.stringify(s.Resource)),
        ),
      )
      .map(([, p]) => p.Properties?.Roles);
    expect(senders).toEqual([[{ Ref: apiRoleId }]]);
  });
});
