import {
  CreateSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceExistsException,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';

/** Where the admin key comes from: read once per container, on the first admin request. */
export type AdminKeySource = () => Promise<string>;

/**
 * The operator's admin key, kept in Secrets Manager (the stack creates it with a random value;
 * `npm start` writes the local one). Read lazily and once per container: a cold start that
 * never serves an admin request never calls Secrets Manager, and a failed read is retried by
 * the next request instead of being cached.
 */
export const secretAdminKey = (client: SecretsManagerClient, secretId: string): AdminKeySource => {
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

/** Local mode: stores the admin key where the deployed stack keeps it, so both read it the same way. */
export const putAdminKeySecret = async (client: SecretsManagerClient, name: string, value: string): Promise<void> => {
  try {
    await client.send(new CreateSecretCommand({ Name: name, SecretString: value, Description: 'Kyso admin key (local)' }));
  } catch (e) {
    if (!(e instanceof ResourceExistsException)) throw e;
    await client.send(new PutSecretValueCommand({ SecretId: name, SecretString: value }));
  }
};
