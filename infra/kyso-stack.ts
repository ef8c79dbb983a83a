import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { Construct } from 'constructs';
import { AdminKey } from './constructs/admin-key.js';
import { Alarms } from './constructs/alarms.js';
import { BundledFunction } from './constructs/bundled-function.js';
import { DataKey } from './constructs/data-key.js';
import { DocumentsBucket, type LockMode } from './constructs/documents-bucket.js';
import { HttpApi } from './constructs/http-api.js';
import { JOB_KINDS, JobQueues } from './constructs/job-queues.js';
import { LabourPlatform } from './constructs/labour-platform.js';
import { MailSending } from './constructs/mail-sending.js';
import { OutboxWiring } from './constructs/outbox.js';
import { ProviderSecrets } from './constructs/provider-secrets.js';
import { Schedules } from './constructs/schedules.js';
import { type SigningKeySpec, SigningKeys } from './constructs/signing-keys.js';
import { SmsDeliveryStatus } from './constructs/sms-delivery-status.js';
import { StateTable } from './constructs/state-table.js';
import { acknowledge, acknowledgeGrant } from './nag.js';

/** Each AWS call attempt of the API function (behind API Gateway's 29 s), in ms. */
export const API_AWS_REQUEST_TIMEOUT_MS = 5000;

export interface KysoStackProps extends StackProps {
  /** Sender address; its domain is verified in SES. */
  readonly mailFrom: string;
  /** Public base URL (custom domain). @default the HTTP API's own URL */
  readonly publicUrl?: string;
  /** @default ECC_NIST_P256 */
  readonly keySpec?: SigningKeySpec;
  /** @default alias/kyso */
  readonly keyAliasPrefix?: string;
  /** Reserved concurrency of the API (signing) function; `undefined` for none. @default 50 */
  readonly apiReservedConcurrency?: number | null;
  /** Object Lock retention for completed documents. @default GOVERNANCE, 3650 days */
  readonly completedRetention?: { readonly mode: LockMode; readonly days: number };
  /** Lock every object by default, not only completed documents. @default false */
  readonly lockAllObjects?: boolean;
  /** Browser origins allowed to use presigned S3 URLs. @default none */
  readonly corsOrigins?: readonly string[];
  /** Email subscribed to the alarm topic. @default none */
  readonly alarmEmail?: string;
  /**
   * The messaging and identity providers this deployment uses (issue 12); their credentials go into
   * the ProviderSecrets secret, never here. @default none: SMS only, no identity proofing
   */
  readonly providers?: ProviderSettings;
  /**
   * The national e-labour-contract platform (Decree 337; provisional protocol): its URL, our client
   * id, a call timeout. The client secret is a Secrets Manager secret the stack creates (output
   * LabourPlatformSecretArn). @default none: registrations stay pending and the late alarm fires
   */
  readonly labourPlatform?: { readonly url?: string; readonly clientId?: string; readonly timeoutMs?: number };
}

export interface ProviderSettings {
  /** Zalo ZNS: the OA app id and the approved template per message kind (`invitation=…,reminder=…,otp=…,completed=…`). */
  readonly zns?: { readonly appId: string; readonly templates: string; readonly apiUrl?: string; readonly oauthUrl?: string };
  /** An eKYC vendor (ID card + selfie), e.g. FPT.AI's base URL. */
  readonly ekyc?: { readonly url: string; readonly name?: string };
  /** An OpenID Connect identity service federating VNeID. `confidential`: its client secret is in ProviderSecrets. */
  readonly oidc?: {
    readonly issuer: string;
    readonly clientId: string;
    readonly confidential?: boolean;
    readonly idNumberClaim?: string;
    readonly requiredAcr?: string;
    readonly name?: string;
  };
}

/** The KYSO_* settings functions/config.ts reads for the providers (credentials excepted). */
const providerEnvironment = (p: ProviderSettings | undefined): Record<string, string> => ({
  ...(p?.zns
    ? {
        KYSO_ZNS_APP_ID: p.zns.appId,
        KYSO_ZNS_TEMPLATES: p.zns.templates,
        ...(p.zns.apiUrl ? { KYSO_ZNS_API_URL: p.zns.apiUrl } : {}),
        ...(p.zns.oauthUrl ? { KYSO_ZNS_OAUTH_URL: p.zns.oauthUrl } : {}),
      }
    : {}),
  ...(p?.ekyc ? { KYSO_EKYC_URL: p.ekyc.url, ...(p.ekyc.name ? { KYSO_EKYC_NAME: p.ekyc.name } : {}) } : {}),
  ...(p?.oidc
    ? {
        KYSO_OIDC_ISSUER: p.oidc.issuer,
        KYSO_OIDC_CLIENT_ID: p.oidc.clientId,
        ...(p.oidc.confidential ? { KYSO_OIDC_CONFIDENTIAL: '1' } : {}),
        ...(p.oidc.idNumberClaim ? { KYSO_OIDC_ID_NUMBER_CLAIM: p.oidc.idNumberClaim } : {}),
        ...(p.oidc.requiredAcr ? { KYSO_OIDC_REQUIRED_ACR: p.oidc.requiredAcr } : {}),
        ...(p.oidc.name ? { KYSO_OIDC_NAME: p.oidc.name } : {}),
      }
    : {}),
});

/** The fonts every PDF we draw embeds (shared/pdf/font.ts, shared/templates/fonts.ts). */
export const FONT_FILES = [
  { packageFile: 'dejavu-fonts-ttf/ttf/DejaVuSans.ttf' },
  { packageFile: 'dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf' },
  { packageFile: 'dejavu-fonts-ttf/ttf/DejaVuSans-Oblique.ttf' },
  { packageFile: 'dejavu-fonts-ttf/ttf/DejaVuSans-BoldOblique.ttf' },
] as const;

/** Files the API reads at run time (see functions/api/routes/pages.ts and the fonts). */
export const API_RUNTIME_FILES = [
  { repoPath: 'web/signer/signer.js' },
  { repoPath: 'web/signer/remote.js' },
  { repoPath: 'web/signer/signer.css' },
  { repoPath: 'web/embed/kyso-embed.js' },
  { repoPath: 'web/console/console.js' },
  { repoPath: 'web/console/compose.js' },
  { repoPath: 'web/console/templates.js' },
  { repoPath: 'web/console/labour.js' },
  { repoPath: 'web/console/console.css' },
  { repoPath: 'web/console/labour.js' },
  { repoPath: 'web/console/data-subjects.js' },
  { repoPath: 'web/console/remote-signing.js' },
  { repoPath: 'web/console/dashboard.js' },
  { repoPath: 'web/shared/html.js' },
  { repoPath: 'web/shared/base.css' },
  { packageFile: 'pdfjs-dist/legacy/build/pdf.min.mjs' },
  { packageFile: 'pdfjs-dist/legacy/build/pdf.worker.min.mjs' },
  { packageFile: 'swagger-ui-dist/swagger-ui.css' },
  { packageFile: 'swagger-ui-dist/swagger-ui-bundle.js' },
  ...FONT_FILES,
] as const;

/**
 * Bundle location of the API: pages.ts resolves `../../../web/signer/*` from its own module URL,
 * and in a bundle every module shares the bundle's URL, so the bundle sits at pages.ts's depth.
 */
export const API_BUNDLE_PATH = 'functions/api/routes/index.mjs';

/** The whole service in one stack. This file only wires constructs together. */
export class KysoStack extends Stack {
  constructor(scope: Construct, id: string, props: KysoStackProps) {
    super(scope, id, props);
    const keySpec = props.keySpec ?? 'ECC_NIST_P256';
    const aliasPrefix = props.keyAliasPrefix ?? 'alias/kyso';
    const workerTimeout = Duration.seconds(60);

    const dataKey = new DataKey(this, 'DataKey', { alias: `${aliasPrefix}/data` });
    const documents = new DocumentsBucket(this, 'Documents', {
      encryptionKey: dataKey.key,
      ...(props.completedRetention ? { completedRetention: props.completedRetention } : {}),
      ...(props.lockAllObjects !== undefined ? { lockAllObjects: props.lockAllObjects } : {}),
      ...(props.corsOrigins ? { corsOrigins: props.corsOrigins } : {}),
    });
    const state = new StateTable(this, 'State', { encryptionKey: dataKey.key });
    const mail = new MailSending(this, 'Mail', { mailFrom: props.mailFrom, eventsKey: dataKey.key });
    const jobs = new JobQueues(this, 'Jobs', { consumerTimeout: workerTimeout });
    const adminKey = new AdminKey(this, 'AdminKey', { encryptionKey: dataKey.key });
    const providerSecrets = new ProviderSecrets(this, 'ProviderSecrets', { encryptionKey: dataKey.key });
    // The API (one-time codes by Zalo, identity proofing, Zalo receipts) and the outbox worker (invitations) call the providers.
    const providers = { ...providerEnvironment(props.providers), KYSO_PROVIDER_SECRETS_ID: providerSecrets.secret.secretArn };

    const common = {
      KYSO_LOCAL: '0',
      KYSO_TABLE: state.table.tableName,
      KYSO_BUCKET: documents.bucket.bucketName,
      KYSO_MAIL_FROM: props.mailFrom,
      KYSO_SES_CONFIGURATION_SET: mail.configurationSet.configurationSetName,
      KYSO_KEY_SPEC: keySpec,
      KYSO_KEY_ALIAS_PREFIX: aliasPrefix,
      ...Object.fromEntries(JOB_KINDS.map((k) => [`KYSO_QUEUE_${k.toUpperCase()}_URL`, jobs.queues[k].queueUrl])),
    };

    const apiReserved = props.apiReservedConcurrency === undefined ? 50 : props.apiReservedConcurrency;
    const api = new BundledFunction(this, 'ApiFunction', {
      entry: 'functions/api/lambda.ts',
      description: 'Kyso API: the Hono app npm start serves',
      bundlePath: API_BUNDLE_PATH,
      runtimeFiles: API_RUNTIME_FILES,
      memorySize: 1024,
      timeout: Duration.seconds(29),
      // Each signature is ~2 KMS Sign calls; capping concurrency keeps bursts under the account quota.
      ...(apiReserved !== null ? { reservedConcurrentExecutions: apiReserved } : {}),
      environment: {
        ...common,
        KYSO_LOCK_MODE: documents.completedRetention.mode,
        KYSO_LOCK_DAYS: String(documents.completedRetention.days),
        KYSO_ADMIN_KEY_SECRET_ID: adminKey.secret.secretArn,
        // API Gateway cuts a request at 29 s: each AWS call attempt is bounded at 5 s, so an
        // endpoint that accepts and never answers costs at most 4 × 5 s before the 503
        // service_unavailable (functions/aws/clients.ts; the SDK default 20 s would be ~80 s).
        KYSO_AWS_REQUEST_TIMEOUT_MS: String(API_AWS_REQUEST_TIMEOUT_MS),
        ...providers,
      },
    });
    const http = new HttpApi(this, 'Http', { handler: api.fn });
    api.fn.addEnvironment('PUBLIC_URL', props.publicUrl ?? http.url);

    const worker = new BundledFunction(this, 'WorkerFunction', {
      entry: 'functions/worker/handler.ts',
      description: 'Kyso queue worker: webhooks, email, bulk jobs',
      timeout: workerTimeout,
      // Bulk sends render templates and certify documents: the worker draws PDFs too.
      runtimeFiles: FONT_FILES,
      reservedConcurrentExecutions: 9,
      environment: common,
    });
    // The labour queue has a function of its own: only it holds the platform's client secret.
    const labourPlatform = new LabourPlatform(this, 'LabourPlatform', { encryptionKey: dataKey.key, ...props.labourPlatform });
    const labourFn = new BundledFunction(this, 'LabourFunction', {
      entry: 'functions/worker/handler.ts',
      description: 'Kyso labour registrations: delivers completed labour contracts to the national platform (labour queue)',
      timeout: workerTimeout,
      reservedConcurrentExecutions: 3,
      environment: { ...common, ...labourPlatform.environment() },
    });
    // Large personal-data exports (issue 17) have a function of their own: minutes, not seconds, and a
    // narrow grant (documents read, archives written, no mail, no signing, no queues).
    const exportFn = new BundledFunction(this, 'ExportFunction', {
      entry: 'functions/worker/handler.ts',
      description: 'Kyso personal-data exports: assembles large exports into a ZIP under the tenant prefix (exports queue)',
      // Under the exports queue's visibility timeout (six times the worker's 60 s).
      timeout: Duration.minutes(5),
      memorySize: 1024,
      reservedConcurrentExecutions: 2,
      environment: common,
    });
    // 3 queues × maxConcurrency 3 = 9 ≤ the 9 reserved, the labour queue 3 ≤ 3, the exports queue 2 ≤ 2: pollers never
    // outrun the reservation, whose throttles would count as receives and push healthy messages into the DLQs.
    const poll = { batchSize: 10, reportBatchItemFailures: true, maxConcurrency: 3 };
    for (const kind of JOB_KINDS) {
      if (kind === 'exports') continue;
      (kind === 'labour' ? labourFn : worker).fn.addEventSource(new SqsEventSource(jobs.queues[kind], poll));
    }
    exportFn.fn.addEventSource(new SqsEventSource(jobs.queues.exports, { batchSize: 1, reportBatchItemFailures: true, maxConcurrency: 2 }));
    labourPlatform.grantRead(labourFn.fn);
    const sweeper = new BundledFunction(this, 'SchedulerFunction', {
      entry: 'functions/scheduler/handler.ts',
      description: 'Kyso scheduler: reminders and expiry',
      timeout: Duration.minutes(5),
      // One sweep at a time: overlapping sweeps would send duplicate reminders.
      reservedConcurrentExecutions: 1,
      environment: common,
    });
    // Reminder emails carry signing links: the sweeps need the public URL the API uses.
    sweeper.fn.addEnvironment('PUBLIC_URL', props.publicUrl ?? http.url);
    const schedules = new Schedules(this, 'Schedules', { handler: sweeper.fn });

    // The outbox worker: performs what committed state changes owe (emails, webhooks, the seal's
    // turn, the signed audit head, registrations), woken by the table's stream, plus the repair sweep.
    const outboxFn = new BundledFunction(this, 'OutboxFunction', {
      entry: 'functions/worker/outbox-stream.ts',
      description: 'Kyso outbox worker: owed effects of committed state changes (table stream) and the repair sweep',
      memorySize: 1024,
      // A sweep performs up to 200 items and walks the open envelopes.
      timeout: Duration.minutes(5),
      // The seal's turn draws its signature appearance.
      runtimeFiles: FONT_FILES,
      // The archive at completion (an effect) and the retention sweep lock objects like the API's legal holds.
      environment: {
        ...common,
        KYSO_LOCK_MODE: documents.completedRetention.mode,
        KYSO_LOCK_DAYS: String(documents.completedRetention.days),
        ...providers,
      },
    });
    // Links in emails and SMS (whose turn it is, reminders, the completed copy).
    outboxFn.fn.addEnvironment('PUBLIC_URL', props.publicUrl ?? http.url);
    const outbox = new OutboxWiring(this, 'Outbox', { table: state.table, handler: outboxFn.fn });

    // Only the functions that sign may call kms:Sign, named in the key policy: the API, the worker
    // (bulk sends certify each document at send) and the outbox worker (the audit head, the seal's
    // revision and its timestamp). The scheduler never signs.
    new SigningKeys(this, 'SigningKeys', { signers: [api.fn.role!, worker.fn.role!, outboxFn.fn.role!], aliasPrefix, keySpec });
    // Tenant seal keys are made at run time by POST /v1/seal (functions/aws/tenant-seal.ts), one per
    // tenant, aliased <prefix>/tenant/<tenantId>/seal; the API may sign only with keys carrying such an alias.
    const { region, account } = Stack.of(this);
    api.fn.addToRolePolicy(new iam.PolicyStatement({ sid: 'CreateTenantSealKeys', actions: ['kms:CreateKey'], resources: ['*'] }));
    api.fn.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'AliasTenantSealKeys',
        actions: ['kms:CreateAlias'],
        resources: [`arn:aws:kms:${region}:${account}:${aliasPrefix}/tenant/*`, `arn:aws:kms:${region}:${account}:key/*`],
      }),
    );
    // The API signs with a tenant's seal key (seal CSR, own-certificate flows); the outbox worker applies the seal at its turn.
    for (const fn of [api.fn, outboxFn.fn]) {
      fn.addToRolePolicy(
        new iam.PolicyStatement({
          sid: 'UseTenantSealKeys',
          actions: ['kms:Sign', 'kms:GetPublicKey', 'kms:DescribeKey'],
          resources: [`arn:aws:kms:${region}:${account}:key/*`],
          conditions: { 'ForAnyValue:StringLike': { 'kms:ResourceAliases': `${aliasPrefix}/tenant/*/seal` } },
        }),
      );
    }
    acknowledgeGrant(
      outboxFn.fn,
      ['Resource::arn:aws:kms:<AWS::Region>:<AWS::AccountId>:key/*'],
      'Tenant seal keys are made at run time: Sign/GetPublicKey/DescribeKey apply only to keys aliased <prefix>/tenant/*/seal (kms:ResourceAliases).',
    );
    // SMS (link messages from the outbox worker, one-time codes from the API) is an SNS Publish to a
    // phone number, which has no ARN; every topic is excluded.
    for (const fn of [api.fn, outboxFn.fn]) {
      fn.addToRolePolicy(new iam.PolicyStatement({ sid: 'PublishSms', actions: ['sns:Publish'], notResources: ['arn:aws:sns:*:*:*'] }));
    }
    // GET /health?deep=1 (functions/aws/health-checks.ts): SES's send quota and SNS's SMS settings, two
    // account-level reads with no resource ARN; the secrets are described under their own grantRead below.
    api.fn.addToRolePolicy(
      new iam.PolicyStatement({ sid: 'HealthChecks', actions: ['ses:GetSendQuota', 'sns:GetSMSAttributes'], resources: ['*'] }),
    );
    acknowledgeGrant(
      api.fn,
      [
        'Resource::*',
        `Resource::arn:aws:kms:<AWS::Region>:<AWS::AccountId>:${aliasPrefix}/tenant/*`,
        'Resource::arn:aws:kms:<AWS::Region>:<AWS::AccountId>:key/*',
      ],
      'Tenant seal keys do not exist at deploy time: CreateKey has no resource, aliases are limited to <prefix>/tenant/*, and Sign/GetPublicKey/DescribeKey apply only to keys aliased <prefix>/tenant/*/seal (kms:ResourceAliases). The deep health check reads ses:GetSendQuota and sns:GetSMSAttributes, which have no resource-level permissions.',
    );
    for (const fn of [api.fn, worker.fn, sweeper.fn, outboxFn.fn]) {
      state.grantReadWriteData(fn);
      mail.grantSend(fn);
    }
    // Delivering a registration reads the envelope and its signed PDF, records the outcome (and the
    // webhooks and audit events it owes) and queues its next attempt: no mail, no signing.
    state.grantReadWriteData(labourFn.fn);
    documents.grantRead(labourFn.fn);
    jobs.queues.labour.grantSendMessages(labourFn.fn);
    // An export job reads envelopes and audit events and writes its own status, the request's and the
    // per-envelope audit events (PutItem/UpdateItem; no deletes); documents and archives as above.
    state.table.grantReadData(exportFn.fn);
    state.table.grant(exportFn.fn, 'dynamodb:PutItem', 'dynamodb:UpdateItem');
    dataKey.key.grantEncryptDecrypt(exportFn.fn);
    documents.grantExportArchives(exportFn.fn);
    // Only the API serves /admin/*: no other function can read the admin key.
    adminKey.grantRead(api.fn);
    // Provider credentials: only the two functions that call the providers.
    providerSecrets.grantRead(api.fn);
    providerSecrets.grantRead(outboxFn.fn);
    documents.grantReadWrite(api.fn);
    documents.grantReadWrite(worker.fn);
    // The seal's revision and the completion it may bring are stored by the outbox worker.
    documents.grantReadWrite(outboxFn.fn);
    // Legal holds (API) and the archive at completion and its sweep (outbox worker) lock objects.
    documents.grantLockRetention(api.fn);
    documents.grantLockRetention(outboxFn.fn);
    jobs.grantSend(api.fn);
    // Only the API starts personal-data exports.
    const notExports = JOB_KINDS.filter((k) => k !== 'exports');
    jobs.grantSend(sweeper.fn, notExports);
    // Jobs enqueue their follow-ups: the next webhook attempt after its backoff delay.
    jobs.grantSend(worker.fn, notExports);
    // Owed webhook events become delivery jobs; registrations go to the labour queue.
    jobs.grantSend(outboxFn.fn, notExports);

    // SMS delivery receipts: SNS's delivery-status log lines, applied to the deliveries the console shows.
    const smsStatus = new BundledFunction(this, 'SmsStatusFunction', {
      entry: 'functions/messaging/sns-delivery-status.ts',
      description: 'Kyso SMS delivery receipts: SNS delivery-status logs → delivery records and the audit trail',
      environment: common,
    });
    state.grantReadWriteData(smsStatus.fn);
    new SmsDeliveryStatus(this, 'SmsDeliveryStatus', { handler: smsStatus.fn });
    // Email receipts: the configuration set's SES events (send, bounce, complaint, delivery, …) from its topic.
    const mailEvents = new BundledFunction(this, 'MailEventsFunction', {
      entry: 'functions/messaging/ses-events.ts',
      description: 'Kyso email receipts: SES send/bounce/complaint/delivery events → outbox items, delivery records, audit trail',
      environment: common,
    });
    state.grantReadWriteData(mailEvents.fn);
    mail.addEventsHandler(mailEvents.fn);

    dataKey.grantCloudWatchAlarms();
    new Alarms(this, 'Alarms', {
      api: http.api,
      functions: {
        api: api.fn,
        worker: worker.fn,
        labour: labourFn.fn,
        exports: exportFn.fn,
        scheduler: sweeper.fn,
        outbox: outboxFn.fn,
        smsStatus: smsStatus.fn,
        mailEvents: mailEvents.fn,
      },
      deadLetterQueues: {
        ...jobs.deadLetterQueues,
        schedules: schedules.deadLetterQueue,
        outboxStream: outbox.streamDeadLetterQueue,
        outboxRepair: outbox.repairDeadLetterQueue,
      },
      outboxLogGroup: outboxFn.logGroup,
      signerLogGroup: api.logGroup,
      schedulerLogGroup: sweeper.logGroup,
      keySpec,
      topicKey: dataKey.key,
      ...(props.alarmEmail ? { email: props.alarmEmail } : {}),
    });

    new CfnOutput(this, 'ApiUrl', { value: http.url, description: 'Base URL of the API' });
    new CfnOutput(this, 'DocumentsBucketName', { value: documents.bucket.bucketName });
    new CfnOutput(this, 'TableName', { value: state.table.tableName });
    new CfnOutput(this, 'KeyAliasPrefix', { value: aliasPrefix });
    new CfnOutput(this, 'LabourPlatformSecretArn', {
      value: labourPlatform.secret.secretArn,
      description: 'aws secretsmanager put-secret-value --secret-id <this> --secret-string <the client secret the platform issued>',
    });
    new CfnOutput(this, 'AdminKeySecretArn', {
      value: adminKey.secret.secretArn,
      description: 'aws secretsmanager get-secret-value --secret-id <this> → the admin key for POST /admin/tenants',
    });
    new CfnOutput(this, 'ProviderSecretsArn', {
      value: providerSecrets.secret.secretArn,
      description:
        'aws secretsmanager put-secret-value --secret-id <this> --secret-string \'{"znsSecretKey":…}\' (infra/README "Provider credentials")',
    });

    suppressGeneratedFindings(this);
  }
}

/** Findings about what CDK generates for the wiring above, each with why it is acceptable. */
const suppressGeneratedFindings = (stack: Stack) => {
  acknowledge(
    stack,
    'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    'AWSLambdaBasicExecutionRole only lets each function write its own CloudWatch logs.',
  );
  acknowledge(
    stack,
    'AwsSolutions-L1',
    'Pinned to nodejs22.x, the LTS the issue specifies and the code is tested on; runtime upgrades are deliberate.',
  );
};
