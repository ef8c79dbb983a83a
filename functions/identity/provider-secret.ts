import { IdentityProviderError } from '../../shared/identity/ports.js';
import { readSecret, type SecretSource } from '../aws/admin-key-secret.js';

/** An identity provider's credential; failing to read it (Secrets Manager down, field missing) is the provider being unavailable. */
export const providerSecret = async (source: SecretSource): Promise<string> => {
  try {
    return await readSecret(source);
  } catch (e) {
    throw new IdentityProviderError('unavailable', `the provider's credential could not be read (${(e as Error).name})`);
  }
};
