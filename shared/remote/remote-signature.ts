import { AppError } from '../errors.js';
import { sha256 } from '../util/bytes.js';
import { CSC_ALGORITHMS, type CscClient } from './csc-client.js';

/**
 * One signature from a remote-signing CA, in steps a stateless server can take across
 * requests: `start` asks for authorisation of the hash of the pinned signed attributes and
 * either gets the signature at once or a pending request the signer confirms on their phone;
 * `resume` checks that request again. Each step is reported through `onStep` so the caller
 * records it in the audit trail. `awaitRemoteSignature` polls to the end, for callers that
 * can wait (a worker, tests); the API instead lets the signer page poll, one check per request.
 */
export type RemoteStep =
  | 'authorize.requested'
  | 'authorize.pending'
  | 'authorize.confirmed'
  | 'authorize.refused'
  | 'signature.received'
  | 'timed-out';

export type RemoteOutcome =
  | { readonly state: 'signed'; readonly signature: Uint8Array; readonly signatures: readonly Uint8Array[] }
  | { readonly state: 'pending'; readonly requestId: string }
  | { readonly state: 'refused'; readonly reason: string };

export interface RemoteSignatureInput {
  readonly client: CscClient;
  readonly credentialId: string;
  /** DER signed attributes (SET OF), one per document: their SHA-256 hashes are what the CA signs, in one authorisation. */
  readonly signedAttributes: Uint8Array | readonly Uint8Array[];
  readonly algorithm: 'ECDSA_SHA_256' | 'RSASSA_PKCS1_V1_5_SHA_256';
  /** Shown on the signer's phone, e.g. the envelope title. */
  readonly description: string;
  readonly onStep?: (step: RemoteStep, data?: Record<string, unknown>) => Promise<void> | void;
}

const hashesOf = (input: RemoteSignatureInput): Uint8Array[] =>
  (input.signedAttributes instanceof Uint8Array ? [input.signedAttributes] : [...input.signedAttributes]).map((a) => sha256(a));

const signWithSad = async (input: RemoteSignatureInput, sad: string): Promise<RemoteOutcome> => {
  await input.onStep?.('authorize.confirmed');
  const signatures = await input.client.signHash(input.credentialId, sad, hashesOf(input), CSC_ALGORITHMS[input.algorithm]);
  const [signature] = signatures;
  if (!signature || signatures.length !== hashesOf(input).length) {
    throw new AppError('remote_signing_failed', `${input.client.config.caName}: not every hash was signed.`);
  }
  await input.onStep?.('signature.received');
  return { state: 'signed', signature, signatures };
};

export const startRemoteSignature = async (input: RemoteSignatureInput): Promise<RemoteOutcome> => {
  await input.onStep?.('authorize.requested', { credentialId: input.credentialId });
  let auth: Awaited<ReturnType<CscClient['authorize']>>;
  try {
    auth = await input.client.authorize(input.credentialId, hashesOf(input), input.description);
  } catch (e) {
    if (e instanceof AppError && e.code === 'remote_signing_refused') {
      await input.onStep?.('authorize.refused', { reason: e.message });
      return { state: 'refused', reason: e.message };
    }
    throw e;
  }
  if (auth.state === 'authorized') return signWithSad(input, auth.sad);
  if (auth.state === 'refused') {
    await input.onStep?.('authorize.refused', { reason: auth.reason });
    return auth;
  }
  await input.onStep?.('authorize.pending', { requestId: auth.requestId });
  return auth;
};

/** One check of a pending confirmation; `pending` again if the signer has not answered. */
export const resumeRemoteSignature = async (input: RemoteSignatureInput, requestId: string): Promise<RemoteOutcome> => {
  const auth = await input.client.authorizeCheck(input.credentialId, requestId);
  if (auth.state === 'authorized') return signWithSad(input, auth.sad);
  if (auth.state === 'refused') {
    await input.onStep?.('authorize.refused', { reason: auth.reason });
    return auth;
  }
  return { state: 'pending', requestId };
};

/** Starts and polls every `intervalMs` until signed, refused, or `timeoutMs` has passed (`timed-out`). */
export const awaitRemoteSignature = async (
  input: RemoteSignatureInput,
  options: { intervalMs: number; timeoutMs: number; sleep?: (ms: number) => Promise<void>; now?: () => number },
): Promise<Exclude<RemoteOutcome, { state: 'pending' }> | { readonly state: 'timed-out' }> => {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const deadline = now() + options.timeoutMs;
  let outcome = await startRemoteSignature(input);
  while (outcome.state === 'pending') {
    if (now() + options.intervalMs > deadline) {
      await input.onStep?.('timed-out', { requestId: outcome.requestId });
      return { state: 'timed-out' };
    }
    await sleep(options.intervalMs);
    outcome = await resumeRemoteSignature(input, outcome.requestId);
  }
  return outcome;
};
