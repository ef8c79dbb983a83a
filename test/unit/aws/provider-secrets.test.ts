import { describe, expect, it } from 'vitest';
import { readSecret, secretField } from '../../../functions/aws/admin-key-secret.js';
import { loadConfig } from '../../../functions/config.js';

describe('provider credentials (issue 12)', () => {
  const zns = { KYSO_ZNS_APP_ID: 'app', KYSO_ZNS_TEMPLATES: 'invitation=1' };

  it('take a value from the environment first, else a field of the provider-secrets secret', () => {
    const plain = loadConfig({
      ...zns,
      KYSO_ZNS_SECRET_KEY: 'sk',
      KYSO_ZNS_REFRESH_TOKEN: 'rt',
      KYSO_EKYC_URL: 'https://ekyc.example/',
      KYSO_EKYC_API_KEY: 'k',
    });
    expect(plain.zns).toMatchObject({ secretKey: { value: 'sk' }, refreshToken: { value: 'rt' } });
    expect(plain.zns?.oaSecretKey).toBeUndefined();
    expect(plain.identity.ekyc).toEqual({ url: 'https://ekyc.example', apiKey: { value: 'k' }, name: 'ekyc' });

    const stored = loadConfig({
      ...zns,
      KYSO_PROVIDER_SECRETS_ID: 'arn:secret',
      KYSO_EKYC_URL: 'https://ekyc.example',
      KYSO_ZNS_SECRET_KEY: 'sk',
    });
    expect(stored.providerSecretsId).toBe('arn:secret');
    expect(stored.zns).toMatchObject({
      secretKey: { value: 'sk' },
      refreshToken: { secretField: 'znsRefreshToken' },
      oaSecretKey: { secretField: 'znsOaSecretKey' },
    });
    expect(stored.identity.ekyc?.apiKey).toEqual({ secretField: 'ekycApiKey' });
    // A public PKCE client has no secret unless the deployment says it is confidential.
    const oidc = { KYSO_OIDC_ISSUER: 'https://id.example', KYSO_OIDC_CLIENT_ID: 'kyso', KYSO_PROVIDER_SECRETS_ID: 'arn:secret' };
    expect(loadConfig(oidc).identity.oidc?.clientSecret).toBeUndefined();
    expect(loadConfig({ ...oidc, KYSO_OIDC_CONFIDENTIAL: '1' }).identity.oidc?.clientSecret).toEqual({ secretField: 'oidcClientSecret' });
  });

  it('refuse to start Zalo with neither a key nor a secret to read it from', () => {
    expect(() => loadConfig({ ...zns, KYSO_ZNS_REFRESH_TOKEN: 'rt' })).toThrow(/KYSO_ZNS_SECRET_KEY .*znsSecretKey/);
    // eKYC without a key is simply not offered.
    expect(loadConfig({ KYSO_EKYC_URL: 'https://ekyc.example' }).identity.ekyc).toBeUndefined();
  });

  it('read one field of the JSON secret, once, and name a missing field without its value', async () => {
    let reads = 0;
    const whole = async () => {
      reads++;
      return JSON.stringify({ ekycApiKey: 'secret-value', empty: '' });
    };
    const once = (() => {
      let p: Promise<string> | undefined;
      return () => (p ??= whole());
    })();
    expect(await readSecret(secretField(once, 'ekycApiKey'))).toBe('secret-value');
    expect(await readSecret(secretField(once, 'ekycApiKey'))).toBe('secret-value');
    expect(reads).toBe(1);
    await expect(readSecret(secretField(once, 'znsSecretKey'))).rejects.toThrow('the provider-secrets secret has no "znsSecretKey"');
    await expect(readSecret(secretField(once, 'empty'))).rejects.toThrow(/no "empty"/);
    await expect(readSecret(secretField(async () => 'not json', 'x'))).rejects.toThrow(/not a JSON object/);
    expect(await readSecret('plain')).toBe('plain');
  });
});
