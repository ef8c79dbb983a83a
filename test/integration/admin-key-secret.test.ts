import { CreateSecretCommand, GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { describe, expect, inject, it } from 'vitest';
import { ensureAdminKeySecret, secretAdminKey } from '../../functions/aws/admin-key-secret.js';
import { call } from '../support/api.js';

const client = () =>
  new SecretsManagerClient({
    endpoint: inject('awsEndpoint'),
    region: 'ap-southeast-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });

describe('the admin key in Secrets Manager', () => {
  it('is what the running service (npm start) keeps in the secret and checks /admin requests against', async () => {
    const stored = await client().send(new GetSecretValueCommand({ SecretId: 'kyso/admin-key' }));
    expect(stored.SecretString).toBe(inject('adminKey'));
    const ok = await call('POST', '/admin/tenants', { key: inject('adminKey'), json: { name: 'Công ty Khóa Quản Trị' } });
    expect(ok.status).toBe(201);
    const wrong = await call('POST', '/admin/tenants', { key: `${inject('adminKey')}x`, json: { name: 'Không được' } });
    expect(wrong.status).toBe(401);
  });

  it('is read once per container, and a failed read is retried rather than cached', async () => {
    const sm = client();
    const name = `kyso-test/admin-${Date.now()}`;
    const source = secretAdminKey(sm, name);
    await expect(source()).rejects.toThrow(); // not created yet
    await sm.send(new CreateSecretCommand({ Name: name, SecretString: 'first-value' }));
    expect(await source()).toBe('first-value');
    await sm.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'rotated' }));
    expect(await source()).toBe('first-value'); // this container keeps its value
    expect(await secretAdminKey(sm, name)()).toBe('rotated'); // a new container reads the new one
  });

  it('npm start keeps a stored key (restarts and servers sharing an endpoint agree), and stores a given one', async () => {
    const sm = client();
    const name = `kyso-test/local-${Date.now()}`;
    const first = await ensureAdminKeySecret(sm, name);
    expect(first).toMatch(/^kyso_admin_[\w-]{20,}$/);
    expect(await ensureAdminKeySecret(sm, name)).toBe(first);
    expect(await ensureAdminKeySecret(sm, name, 'given-by-operator')).toBe('given-by-operator');
    expect(await secretAdminKey(sm, name)()).toBe('given-by-operator');
  });
});
