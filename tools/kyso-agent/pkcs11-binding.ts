import type * as P11 from 'pkcs11js';
import { TokenError } from './token-errors.js';

/**
 * pkcs11js, the native PKCS#11 binding, loaded only when a token is used: it is an optional
 * dependency (a C compiler builds it at `npm ci`), so PKCS#12 users need none of it. In the
 * single-file executable (scripts/agent-build.ts) the same import resolves to the bundled
 * JavaScript, which loads `pkcs11.node` from the executable's own folder.
 */
export const loadPkcs11js = async (): Promise<typeof P11> => {
  try {
    const mod = (await import('pkcs11js')) as typeof P11 & { default?: typeof P11 };
    return mod.default ?? mod;
  } catch (e) {
    throw new TokenError('pkcs11_unavailable', (e as Error).message.split('\n')[0]);
  }
};
