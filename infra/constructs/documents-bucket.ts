import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { IDENTITY_IMAGE_TAG } from '../../functions/aws/dynamo-identity.js';
import { EXPORT_ARCHIVE_TAG, EXPORT_KEEP_DAYS } from '../../shared/data-subjects/export-job.js';
import { IDENTITY_IMAGE_DAYS } from '../../shared/identity/ports.js';
import { acknowledge, acknowledgeGrant, DATA_KEY_ACTIONS, nagArn } from '../nag.js';

export type LockMode = 'GOVERNANCE' | 'COMPLIANCE';

export interface DocumentsBucketProps {
  /** The customer-managed key for SSE-KMS. */
  readonly encryptionKey: kms.IKey;
  /** Object Lock retention the app applies to completed documents. @default GOVERNANCE, 3650 days */
  readonly completedRetention?: { readonly mode: LockMode; readonly days: number };
  /** Also lock every object by default (drafts included). @default false */
  readonly lockAllObjects?: boolean;
  /** Days after which an overwritten or deleted revision is removed (Object Lock still wins). @default 365 */
  readonly noncurrentVersionDays?: number;
  /** Browser origins allowed to PUT/GET through presigned URLs. @default none */
  readonly corsOrigins?: readonly string[];
}

/**
 * Document revisions (`tenants/<tenant>/envelopes/...`): versioned, SSE-KMS with our own key,
 * TLS only, never public, access-logged, with Object Lock available so completed documents
 * can be made immutable for their retention period.
 */
export class DocumentsBucket extends Construct {
  readonly bucket: s3.Bucket;
  readonly logBucket: s3.Bucket;
  readonly completedRetention: { readonly mode: LockMode; readonly days: number };

  constructor(scope: Construct, id: string, props: DocumentsBucketProps) {
    super(scope, id);
    this.completedRetention = props.completedRetention ?? { mode: 'GOVERNANCE', days: 3650 };
    const { mode, days } = this.completedRetention;
    const retention =
      mode === 'COMPLIANCE'
        ? s3.ObjectLockRetention.compliance(Duration.days(days))
        : s3.ObjectLockRetention.governance(Duration.days(days));

    // Server access logs can only be delivered to SSE-S3 buckets.
    this.logBucket = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      lifecycleRules: [{ expiration: Duration.days(400) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledge(this.logBucket, 'AwsSolutions-S1', 'This is the access-log target bucket; logging it into itself would loop.');

    this.bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: props.encryptionKey,
      bucketKeyEnabled: true,
      versioned: true,
      objectLockEnabled: true,
      ...(props.lockAllObjects ? { objectLockDefaultRetention: retention } : {}),
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.logBucket,
      serverAccessLogsPrefix: 'documents/',
      lifecycleRules: [
        {
          id: 'old-revisions',
          noncurrentVersionTransitions: [{ storageClass: s3.StorageClass.INFREQUENT_ACCESS, transitionAfter: Duration.days(30) }],
          noncurrentVersionExpiration: Duration.days(props.noncurrentVersionDays ?? 365),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
        // Presigned uploads not turned into an envelope, and pinned revisions of abandoned
        // two-phase signing sessions: both are copied or discarded within minutes.
        { id: 'abandoned-uploads', prefix: 'uploads/', expiration: Duration.days(2) },
        { id: 'abandoned-signing-sessions', prefix: 'signing-sessions/', expiration: Duration.days(2) },
        // ID-card and selfie images: biometric personal data (Decree 13/2023, Law 91/2025: kept no
        // longer than the purpose needs). Each is tagged with its tenant's period, one of
        // IDENTITY_IMAGE_DAYS, and deleted by that tier's rule, old versions a day later (a deletion
        // leaves a noncurrent version the rule above would keep for a year). The evidence (fields,
        // scores, the images' SHA-256) stays in the audit trail as long as the contract. S3 applies
        // the shortest matching expiration, so the untagged catch-all is the longest tier.
        ...IDENTITY_IMAGE_DAYS.map((days) => ({
          id: `identity-images-${days}d`,
          prefix: 'identity/',
          tagFilters: { [IDENTITY_IMAGE_TAG]: String(days) },
          expiration: Duration.days(days),
          noncurrentVersionExpiration: Duration.days(1),
        })),
        {
          id: 'identity-images-untagged',
          prefix: 'identity/',
          expiration: Duration.days(Math.max(...IDENTITY_IMAGE_DAYS)),
          noncurrentVersionExpiration: Duration.days(1),
        },
        // Personal-data export archives (issue 17: tenants/<t>/data-subject-exports/<job>.zip): personal data
        // made for one download, deleted EXPORT_KEEP_DAYS after they were written, old versions a day later.
        // Selected by tag because they sit under each tenant's own prefix (a rule's prefix has no wildcard).
        {
          id: 'personal-data-exports',
          prefix: 'tenants/',
          tagFilters: { [EXPORT_ARCHIVE_TAG.key]: EXPORT_ARCHIVE_TAG.value },
          expiration: Duration.days(EXPORT_KEEP_DAYS),
          noncurrentVersionExpiration: Duration.days(1),
        },
      ],
      ...(props.corsOrigins?.length
        ? {
            cors: [
              {
                allowedMethods: [s3.HttpMethods.PUT, s3.HttpMethods.GET],
                allowedOrigins: [...props.corsOrigins],
                allowedHeaders: ['content-type', 'content-md5', 'x-amz-*'],
                maxAge: 3000,
              },
            ],
          }
        : {}),
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }

  /** Read revisions only (the labour function sends the signed PDF to the national platform). */
  grantRead(grantee: iam.IGrantable): void {
    this.bucket.grantRead(grantee);
    acknowledgeGrant(
      grantee,
      [
        ...['s3:GetObject*', 's3:GetBucket*', 's3:List*'].map((a) => `Action::${a}`),
        `Resource::${nagArn(this.bucket.node.defaultChild as s3.CfnBucket)}/*`,
        ...DATA_KEY_ACTIONS,
      ],
      'CDK read grant on this one bucket: object keys are content hashes under tenant prefixes, unknown in advance; KMS use is limited to the bucket key.',
    );
  }

  /** Read and write revisions (and presign URLs for them), including the KMS use that needs. */
  grantReadWrite(grantee: iam.IGrantable): void {
    this.bucket.grantReadWrite(grantee);
    acknowledgeGrant(
      grantee,
      [
        ...['s3:GetObject*', 's3:GetBucket*', 's3:List*', 's3:DeleteObject*', 's3:Abort*'].map((a) => `Action::${a}`),
        `Resource::${nagArn(this.bucket.node.defaultChild as s3.CfnBucket)}/*`,
        ...DATA_KEY_ACTIONS,
      ],
      'CDK read/write grant on this one bucket: object keys are content hashes under tenant prefixes, unknown in advance; KMS use is limited to the bucket key.',
    );
  }

  /**
   * The export function (issue 17): reads the envelopes' documents, lists identity images (by key,
   * never read), writes export archives (tagged for their lifecycle rule); nothing else.
   */
  grantExportArchives(grantee: iam.IGrantable): void {
    this.bucket.grantRead(grantee, 'tenants/*/envelopes/*');
    // Not grantPut: it would also allow setting retention and legal holds.
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['s3:PutObject', 's3:PutObjectTagging'],
      resourceArns: [this.bucket.arnForObjects('tenants/*/data-subject-exports/*')],
    });
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['s3:ListBucket'],
      resourceArns: [this.bucket.bucketArn],
      conditions: { StringLike: { 's3:prefix': ['identity/*'] } },
    });
    const arn = nagArn(this.bucket.node.defaultChild as s3.CfnBucket);
    acknowledgeGrant(
      grantee,
      [
        ...['s3:GetObject*', 's3:GetBucket*', 's3:List*'].map((a) => `Action::${a}`),
        `Resource::${arn}/tenants/*/envelopes/*`,
        `Resource::${arn}/tenants/*/data-subject-exports/*`,
        ...DATA_KEY_ACTIONS,
      ],
      'Exports read the documents under any tenant’s envelopes and write only under tenants/*/data-subject-exports/ (object keys are per tenant and job, unknown in advance); listing only under identity/.',
    );
  }

  /**
   * Put Object Lock retention on completed documents, and set or clear legal holds (issue 17).
   * Not granted: bypassing governance retention, so nobody here can shorten a lock.
   */
  grantLockRetention(grantee: iam.IGrantable): iam.Grant {
    const grant = iam.Grant.addToPrincipal({
      grantee,
      actions: ['s3:PutObjectRetention', 's3:GetObjectRetention', 's3:PutObjectLegalHold', 's3:GetObjectLegalHold'],
      resourceArns: [this.bucket.arnForObjects('tenants/*')],
    });
    acknowledgeGrant(
      grantee,
      [`Resource::${nagArn(this.bucket.node.defaultChild as s3.CfnBucket)}/tenants/*`],
      'Retention is set per completed document, anywhere under the tenant prefixes.',
    );
    return grant;
  }
}
