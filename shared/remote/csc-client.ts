import { AppError } from '../errors.js';

/**
 * A client for the Cloud Signature Consortium API v2 (remote signing at a CA's QSCD), with
 * the fetch injected. Vietnamese RSSPs (VNPT SmartCA, Viettel MySign, MISA eSign, ...) expose
 * CSC-shaped APIs and confirm each signature on the signer's phone, asynchronously: here
 * `credentials/authorize` may answer 202 `{requestID}` and `credentials/authorizeCheck`
 * is polled until it yields the SAD, a refusal, or the request expires (the asynchronous
 * authorization of CSC v2.2; a provider's proprietary "transaction + status" calls map onto
 * the same three outcomes in its adapter).
 */
export interface CscProviderConfig {
  /** e.g. https://rmgateway.vnptit.vn — the client adds /oauth2/token and /csc/v2/... */
  readonly baseUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Display name of the CA, for the audit trail and the signer page ("VNPT SmartCA"). */
  readonly caName: string;
}

export interface CscCredential {
  readonly credentialId: string;
  /** End entity first, DER. */
  readonly chain: readonly Uint8Array[];
  /** Signature algorithm OIDs the key supports. */
  readonly keyAlgorithms: readonly string[];
  readonly keyStatus: string;
}

export type CscAuthorization =
  | { readonly state: 'authorized'; readonly sad: string }
  | { readonly state: 'pending'; readonly requestId: string }
  | { readonly state: 'refused'; readonly reason: string };

export interface CscClientOptions {
  readonly fetch?: typeof globalThis.fetch;
  /** Per HTTP call. */
  readonly timeoutMs?: number;
  readonly now?: () => number;
}

/** OIDs CSC uses in signAlgo / hashAlgo. */
export const CSC_ALGORITHMS = {
  ECDSA_SHA_256: '1.2.840.10045.4.3.2',
  RSASSA_PKCS1_V1_5_SHA_256: '1.2.840.113549.1.1.11',
  sha256: '2.16.840.1.101.3.4.2.1',
} as const;

/** CSC error codes that mean "the signer or the CA said no", not "the CA is broken". */
const REFUSALS = new Set(['access_denied', 'invalid_otp', 'invalid_pin', 'expired_request', 'refused']);

export class CscClient {
  private token?: { value: string; expiresAt: number };
  private readonly doFetch: typeof globalThis.fetch;
  private readonly now: () => number;

  constructor(
    readonly config: CscProviderConfig,
    private readonly options: CscClientOptions = {},
  ) {
    this.doFetch = options.fetch ?? globalThis.fetch;
    this.now = options.now ?? Date.now;
  }

  private failed(why: string) {
    return new AppError('remote_signing_failed', `${this.config.caName}: ${why}.`);
  }

  private async call(
    path: string,
    init: { body: string; contentType: string; auth?: string },
  ): Promise<{ status: number; json: Record<string, unknown> }> {
    let res: Response;
    try {
      res = await this.doFetch(`${this.config.baseUrl.replace(/\/+$/, '')}${path}`, {
        method: 'POST',
        headers: { 'content-type': init.contentType, accept: 'application/json', ...(init.auth ? { authorization: init.auth } : {}) },
        body: init.body,
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
      });
    } catch (e) {
      throw this.failed((e as Error).name === 'TimeoutError' ? `${path} timed out` : `${path} unreachable`);
    }
    let json: Record<string, unknown>;
    try {
      json = (await res.json()) as Record<string, unknown>;
    } catch {
      throw this.failed(`${path} answered HTTP ${res.status} without JSON`);
    }
    if (res.status >= 500) throw this.failed(`${path} answered HTTP ${res.status}`);
    if (res.status >= 400) {
      // Upstream text is never reflected to our caller (it may be anything the provider, or a
      // host posing as one, chose to say): only a known CSC error code, else a generic reason.
      const code = String(json.error ?? 'error');
      if (REFUSALS.has(code)) throw new AppError('remote_signing_refused', `${this.config.caName} refused (${code}).`, { cscError: code });
      throw this.failed(`${path} rejected the request (HTTP ${res.status})`);
    }
    return { status: res.status, json };
  }

  /** OAuth 2.0 client credentials (CSC 8.3.3): one token per client, reused until a minute before it expires. */
  async accessToken(): Promise<string> {
    if (this.token && this.token.expiresAt - 60_000 > this.now()) return this.token.value;
    const body = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: this.config.clientId,
      client_secret: this.config.clientSecret,
    });
    const { json } = await this.call('/oauth2/token', { body: body.toString(), contentType: 'application/x-www-form-urlencoded' });
    if (typeof json.access_token !== 'string') throw this.failed('oauth2/token returned no access_token');
    this.token = { value: json.access_token, expiresAt: this.now() + Number(json.expires_in ?? 3600) * 1000 };
    return this.token.value;
  }

  private async api(method: string, body: Record<string, unknown>) {
    const auth = `Bearer ${await this.accessToken()}`;
    return this.call(`/csc/v2/${method}`, { body: JSON.stringify(body), contentType: 'application/json', auth });
  }

  /** credentials/list for one user (the signer's id at the CA: citizen id, phone, ...). */
  async listCredentials(userId: string): Promise<string[]> {
    const { json } = await this.api('credentials/list', { userID: userId });
    const ids = json.credentialIDs;
    if (!Array.isArray(ids) || !ids.every((i) => typeof i === 'string')) throw this.failed('credentials/list returned no credentialIDs');
    return ids as string[];
  }

  /** credentials/info with the whole chain. */
  async credentialInfo(credentialId: string): Promise<CscCredential> {
    const { json } = await this.api('credentials/info', {
      credentialID: credentialId,
      certificates: 'chain',
      certInfo: false,
      authInfo: true,
    });
    const cert = json.cert as { certificates?: unknown } | undefined;
    const key = json.key as { algo?: unknown; status?: unknown } | undefined;
    const chain = cert?.certificates;
    if (!Array.isArray(chain) || !chain.length || !chain.every((c) => typeof c === 'string')) {
      throw this.failed('credentials/info returned no certificate chain');
    }
    return {
      credentialId,
      chain: (chain as string[]).map((c) => new Uint8Array(Buffer.from(c, 'base64'))),
      keyAlgorithms: Array.isArray(key?.algo) ? (key.algo as string[]) : [],
      keyStatus: String(key?.status ?? 'enabled'),
    };
  }

  /** credentials/authorize for exactly these hashes: the SAD now, or a request the signer confirms on their phone. */
  async authorize(credentialId: string, hashes: readonly Uint8Array[], description: string): Promise<CscAuthorization> {
    const { status, json } = await this.api('credentials/authorize', {
      credentialID: credentialId,
      numSignatures: hashes.length,
      hashes: hashes.map((h) => Buffer.from(h).toString('base64')),
      hashAlgorithmOID: CSC_ALGORITHMS.sha256,
      description: description.slice(0, 500),
    });
    return this.authorization(status, json);
  }

  /** credentials/authorizeCheck: has the signer confirmed yet? */
  async authorizeCheck(credentialId: string, requestId: string): Promise<CscAuthorization> {
    try {
      const { status, json } = await this.api('credentials/authorizeCheck', { credentialID: credentialId, requestID: requestId });
      return this.authorization(status, json);
    } catch (e) {
      if (e instanceof AppError && e.code === 'remote_signing_refused') return { state: 'refused', reason: e.message };
      throw e;
    }
  }

  private authorization(status: number, json: Record<string, unknown>): CscAuthorization {
    if (typeof json.SAD === 'string') return { state: 'authorized', sad: json.SAD };
    if (status === 202 && typeof json.requestID === 'string') return { state: 'pending', requestId: json.requestID };
    throw this.failed('credentials/authorize returned neither a SAD nor a pending request');
  }

  /** signatures/signHash: one signature value per hash, in order. */
  async signHash(credentialId: string, sad: string, hashes: readonly Uint8Array[], signAlgo: string): Promise<Uint8Array[]> {
    const { json } = await this.api('signatures/signHash', {
      credentialID: credentialId,
      SAD: sad,
      hashes: hashes.map((h) => Buffer.from(h).toString('base64')),
      hashAlgorithmOID: CSC_ALGORITHMS.sha256,
      signAlgo,
    });
    const sigs = json.signatures;
    if (!Array.isArray(sigs) || sigs.length !== hashes.length || !sigs.every((s) => typeof s === 'string')) {
      throw this.failed('signatures/signHash returned no signatures');
    }
    return (sigs as string[]).map((s) => new Uint8Array(Buffer.from(s, 'base64')));
  }
}
