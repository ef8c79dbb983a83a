import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { acknowledgeGrant, DATA_KEY_ACTIONS } from '../nag.js';

export interface StateTableProps {
  /** The customer-managed key for encryption at rest. */
  readonly encryptionKey: kms.IKey;
}

/**
 * The single table (`pk`/`sk` strings, tenant-scoped partition keys). Short-lived items
 * (link tokens, OTPs, idempotency records) carry an epoch-seconds `ttl`. No GSIs: the code
 * queries by key only; add them here when it does not. Its stream (keys only) wakes the outbox worker.
 */
export class StateTable extends Construct {
  readonly table: dynamodb.Table;

  constructor(scope: Construct, id: string, props: StateTableProps) {
    super(scope, id);
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: props.encryptionKey,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      timeToLiveAttribute: 'ttl',
      // The outbox worker's trigger (infra/constructs/outbox.ts): keys are all it reads.
      stream: dynamodb.StreamViewType.KEYS_ONLY,
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }

  grantReadWriteData(grantee: iam.IGrantable): iam.Grant {
    const grant = this.table.grantReadWriteData(grantee);
    acknowledgeGrant(grantee, DATA_KEY_ACTIONS, 'Encrypt/decrypt with the table key only, as DynamoDB needs for a customer-managed key.');
    return grant;
  }
}
