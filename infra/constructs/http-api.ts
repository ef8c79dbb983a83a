import { RemovalPolicy } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { acknowledge } from '../nag.js';

export interface HttpApiProps {
  /** The function serving every route (the Hono app). */
  readonly handler: lambda.IFunction;
  /** Steady-state requests per second for the whole API; keeps KMS Sign under its quota. @default 100 */
  readonly rateLimit?: number;
  /** @default 200 */
  readonly burstLimit?: number;
}

/**
 * API Gateway HTTP API, every route to the one Lambda (payload format 2.0). Binary bodies need
 * no configuration: the app answers PDFs with `isBase64Encoded` and HTTP APIs decode it.
 * Requests are capped at 10 MB by HTTP APIs and 6 MB by Lambda, so large PDFs are uploaded
 * and downloaded with presigned S3 URLs instead.
 */
export class HttpApi extends Construct {
  readonly api: apigw.HttpApi;
  readonly stage: apigw.HttpStage;
  readonly accessLogs: logs.LogGroup;

  constructor(scope: Construct, id: string, props: HttpApiProps) {
    super(scope, id);
    this.api = new apigw.HttpApi(this, 'Api', {
      description: 'Kyso API (Hono on Lambda)',
      createDefaultStage: false,
      defaultIntegration: new HttpLambdaIntegration('App', props.handler, { payloadFormatVersion: apigw.PayloadFormatVersion.VERSION_2_0 }),
    });
    this.accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.stage = this.api.addStage('Stage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: props.rateLimit ?? 100, burstLimit: props.burstLimit ?? 200 },
      accessLogSettings: { destination: new apigw.LogGroupLogDestination(this.accessLogs) },
    });
    acknowledge(
      this.api,
      'AwsSolutions-APIG4',
      'Authorization is in the app: tenants send an API key (Bearer, stored hashed), signers a link token scoped to one recipient; /health, /openapi.json, /pki and the signer page are public by design.',
    );
  }

  /** The base URL, ending in `/`. */
  get url(): string {
    return this.stage.url;
  }
}
