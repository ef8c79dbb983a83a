import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { TestProject } from 'vitest/node';
import { startEkycTestServer } from './ekyc-test-server.js';
import { startOidcTestServer } from './oidc-test-server.js';
import { startServer } from './start-server.js';
import { startZnsTestServer } from './zns-test-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string;
    awsEndpoint: string;
    adminKey: string;
    devApiKey: string;
  }
}

/** One running service for all integration tests; they talk HTTP to it and to its AWS endpoint. */
export default async function setup(project: TestProject) {
  // External services the API reaches through its ports, each a local server speaking the real protocol.
  const zns = await startZnsTestServer();
  const ekyc = await startEkycTestServer();
  const oidc = await startOidcTestServer();
  // The providers' credentials are where the deployed stack keeps them: fields of one Secrets Manager
  // secret (KYSO_PROVIDER_SECRETS_ID), read when first needed — so every Zalo and eKYC test reads them there.
  const providerSecrets = `kyso/test/providers-${Date.now()}`;
  const server = await startServer({
    KYSO_PROVIDER_SECRETS_ID: providerSecrets,
    KYSO_ZNS_APP_ID: zns.appId,
    KYSO_ZNS_API_URL: zns.url,
    KYSO_ZNS_OAUTH_URL: zns.url,
    KYSO_ZNS_TEMPLATES: 'invitation=300001,otp=300002,reminder=300003,completed=300004',
    KYSO_EKYC_URL: ekyc.url,
    KYSO_OIDC_ISSUER: oidc.issuer,
    KYSO_OIDC_CLIENT_ID: oidc.clientId,
    KYSO_OIDC_REQUIRED_ACR: 'vneid-level-2',
  });
  await new SecretsManagerClient({
    endpoint: server.awsEndpoint,
    region: 'ap-southeast-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  }).send(
    new CreateSecretCommand({
      Name: providerSecrets,
      SecretString: JSON.stringify({
        znsSecretKey: zns.secretKey,
        znsRefreshToken: zns.refreshToken(),
        znsOaSecretKey: zns.oaSecretKey,
        ekycApiKey: ekyc.apiKey,
      }),
    }),
  );
  zns.state.callbackUrl = `${server.url}/callbacks/zalo`;
  project.provide('baseUrl', server.url);
  project.provide('awsEndpoint', server.awsEndpoint);
  project.provide('adminKey', server.adminKey);
  project.provide('devApiKey', server.devApiKey);
  return async () => {
    await server.stop();
    await zns.close();
    await ekyc.close();
    await oidc.close();
    // A 500 anywhere in the run is a failure even if the test that caused it passed.
    const errors = server
      .output()
      .split('\n')
      .filter((l) => l.includes('"level":"error"'));
    if (errors.length) throw new Error(`the server logged ${errors.length} error(s):\n${errors.slice(0, 5).join('\n')}`);
  };
}
