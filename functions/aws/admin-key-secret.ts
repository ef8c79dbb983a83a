import {
  CreateSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceExistsException,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { randomId } from '../../shared/util/bytes.js';

/** Where the admin key comes from: read once per container, on the first admin request. */
export type AdminKeySource = () => Promise<string>;

/**
 * A secret's string value from Secrets Manager, read lazily and once per container: a cold start
 * that never needs it never calls Secrets Manager, and a failed read is retried by the next
 * caller instead of being cached. Used for the operator's admin key (the stack creates it with a
 * random value; `npm start` writes the local one) and the labour platform's client secret.
 */
export const cachedSecret = (client: SecretsManagerClient, secretId: string): (() => Promise<string>) => {
  let value: Promise<string> | undefined;
  return () => {
    value ??= client.send(new GetSecretValueCommand({ SecretId: secretId })).then(
      (r) => {
        if (!r.SecretString) throw new Error(`secret ${secretId} has no string value`);
        return r.SecretString;
      },
      (e) => {
        value = undefined;
        throw e;
      },
    );
    return value;
  };
};

/** A credential the code needs: the value itself (local, tests) or how to read it when first needed. */
export type SecretSource = string | (() => Promise<string>);

export const readSecret = async (source: SecretSource): Promise<string> => (typeof source === 'string' ? source : source());

/**
 * One field of a JSON secret: the stack's provider-secrets secret holds every provider
 * credential (`{"znsSecretKey": …, "ekycApiKey": …}`), so one secret, one grant, one read per container.
 * A missing field is an error when it is needed, naming the field, never the value.
 */
export const secretField =
  (whole: () => Promise<string>, field: string): (() => Promise<string>) =>
  async () => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(await whole());
    } catch {
      throw new Error('the provider-secrets secret is not a JSON object');
    }
    const value = (parsed as Record<string, unknown> | null)?.[field];
    if (typeof value !== 'string' || !value) throw new Error(`the provider-secrets secret has no "${field}"`);
    return value;
  };

/** The operator's admin key, kept in Secrets Manager. */
export const secretAdminKey = (client: SecretsManagerClient, secretId: string): AdminKeySource => cachedSecret(client, secretId);

/**
 * Local mode: makes sure the admin key is where the deployed stack keeps it, so both read it the
 * same way. A key given explicitly replaces the stored one; otherwise an existing key is kept
 * (restarts, and several servers on one endpoint, agree on one key) and a new one is stored only
 * when there is none. Returns the key in force.
 */
export const ensureAdminKeySecret = async (client: SecretsManagerClient, name: string, given?: string): Promise<string> => {
  const value = given ?? `kyso_admin_${randomId(18)}`;
  try {
    await client.send(new CreateSecretCommand({ Name: name, SecretString: value, Description: 'Kyso admin key (local)' }));
    return value;
  } catch (e) {
    if (!(e instanceof ResourceExistsException)) throw e;
  }
  if (given) {
    await client.send(new PutSecretValueCommand({ SecretId: name, SecretString: given }));
    return given;
  }
  return secretAdminKey(client, name)();
};
