import { randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import type { AgentKey, KeyProvider } from './key-provider.js';
import {
  AGENT_PROTOCOL_VERSION,
  type AgentCertificateInfo,
  type AgentErrorCode,
  type InfoResponse,
  type PairConfirmRequest,
  type SignRequest,
} from './protocol.js';
import { TokenError, type TokenErrorCode } from './token-errors.js';

export const AGENT_VERSION = '0.2.0';

export interface SignPrompt {
  readonly origin: string;
  readonly signer: string;
  readonly title?: string;
  readonly documentSha256?: string;
  /** message-digest from the signed attributes (hex): what the signature really commits to. */
  readonly messageDigest: string;
}

export interface AgentServerOptions {
  readonly provider: KeyProvider;
  /** Web origins allowed to talk to the agent, e.g. https://app.kyso.vn. */
  readonly allowedOrigins: readonly string[];
  /** Shows the pairing code on the agent's own screen; the person types it into the page. */
  readonly showPairingCode: (code: string, origin: string) => void;
  /** Asks the person to approve one signature; false declines it. */
  readonly confirm: (prompt: SignPrompt) => Promise<boolean>;
  readonly now?: () => number;
  readonly pairingTtlMs?: number;
}

const PAIRING_CODE_TTL_MS = 2 * 60_000;
const PAIRING_CODE_ATTEMPTS = 3;
const MAX_BODY = 64 * 1024;
const OID_CONTENT_TYPE = '1.2.840.113549.1.9.3';
const OID_MESSAGE_DIGEST = '1.2.840.113549.1.9.4';

class AgentError extends Error {
  constructor(
    readonly status: number,
    readonly code: AgentErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** A token's state is the person's to fix at the agent (plug it in, type the PIN): never a 500. */
const TOKEN_STATUS: Record<TokenErrorCode, number> = {
  pkcs11_unavailable: 502,
  module_load_failed: 502,
  token_error: 502,
  token_not_present: 503,
  token_removed: 503,
  slot_not_found: 503,
  pin_required: 409,
  pin_incorrect: 409,
  pin_locked: 409,
  no_certificate: 409,
  unsupported_key: 422,
};

const subjectOf = (name: pkijs.RelativeDistinguishedNames) =>
  name.typesAndValues
    .map((t) => `${t.type === '2.5.4.3' ? 'CN' : t.type === '2.5.4.10' ? 'O' : t.type}=${t.value.valueBlock.value}`)
    .join(', ');

const pem = (der: Uint8Array) =>
  `-----BEGIN CERTIFICATE-----\n${Buffer.from(der)
    .toString('base64')
    .replace(/.{1,64}/g, '$&\n')}-----END CERTIFICATE-----\n`;

export const describeKey = (key: AgentKey): AgentCertificateInfo => {
  const leaf = key.chain[0] as Uint8Array;
  const cert = pkijs.Certificate.fromBER(leaf.buffer.slice(leaf.byteOffset, leaf.byteOffset + leaf.byteLength) as ArrayBuffer);
  return {
    id: key.id,
    subject: subjectOf(cert.subject),
    issuer: subjectOf(cert.issuer),
    notAfter: cert.notAfter.value.toISOString(),
    chainPem: key.chain.map(pem).join(''),
  };
};

/**
 * The agent refuses to sign anything but CMS signed attributes with a content-type and a
 * 32-byte message-digest, so a paired page cannot make it sign, say, a TLS handshake or a
 * login challenge for another service. Returns the message-digest for the prompt.
 */
export const checkSignedAttributes = (der: Uint8Array): Uint8Array => {
  if (der[0] !== 0x31) throw new AgentError(400, 'bad_request', 'signedAttributesB64 must be DER signed attributes (SET OF, 0x31).');
  const parsed = asn1js.fromBER(der.buffer.slice(der.byteOffset, der.byteOffset + der.byteLength) as ArrayBuffer);
  if (parsed.offset !== der.length || !(parsed.result instanceof asn1js.Set)) {
    throw new AgentError(400, 'bad_request', 'signedAttributesB64 is not one DER SET.');
  }
  let digest: Uint8Array | undefined;
  let hasContentType = false;
  for (const item of parsed.result.valueBlock.value) {
    const attr = new pkijs.Attribute({ schema: item });
    if (attr.type === OID_CONTENT_TYPE) hasContentType = true;
    if (attr.type === OID_MESSAGE_DIGEST && attr.values[0] instanceof asn1js.OctetString) {
      digest = new Uint8Array(attr.values[0].valueBlock.valueHexView);
    }
  }
  if (!hasContentType || digest?.length !== 32) {
    throw new AgentError(400, 'bad_request', 'signed attributes need a content-type and a SHA-256 message-digest.');
  }
  return digest;
};

const readJson = async (req: IncomingMessage): Promise<unknown> => {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new AgentError(413, 'bad_request', 'body too large');
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
  } catch {
    throw new AgentError(400, 'bad_request', 'body is not JSON');
  }
};

const sameString = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/**
 * The agent's HTTP handler (docs/agent-protocol.md). Defences, in order: the Host header must
 * name the loopback address (DNS rebinding), the Origin must be configured (CORS is only
 * granted to it, and JSON bodies force a preflight other origins fail), a pairing token bound
 * to that origin must be presented (obtained by typing a code only the agent's own screen
 * shows), and every signature is confirmed by the person on the agent's side.
 */
export const createAgentHandler = (options: AgentServerOptions, port: () => number) => {
  const now = options.now ?? Date.now;
  const pairings = new Map<string, { code: string; origin: string; expiresAt: number; attempts: number }>();
  const tokens = new Map<string, { origin: string; expiresAt: number }>();
  const pairingTtl = options.pairingTtlMs ?? 8 * 3600_000;

  const originOf = (req: IncomingMessage): string => {
    const origin = req.headers.origin;
    // No Origin: not a browser (curl, a test). Local programs are outside the threat model:
    // they could read the key file themselves. They still have to pair.
    if (!origin) return 'local';
    if (!options.allowedOrigins.includes(origin)) throw new AgentError(403, 'origin_not_allowed', `origin ${origin} is not allowed`);
    return origin;
  };

  const pairedOrigin = (req: IncomingMessage, origin: string): boolean => {
    const token = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    if (!token) return false;
    const entry = tokens.get(token);
    if (!entry || entry.expiresAt <= now()) return false;
    return entry.origin === origin;
  };

  const route = async (req: IncomingMessage, origin: string): Promise<{ status: number; body: unknown }> => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const key = `${req.method} ${url.pathname}`;
    if (key === 'GET /v1/info') {
      const paired = pairedOrigin(req, origin);
      const body: InfoResponse = {
        agent: 'kyso-agent',
        version: AGENT_VERSION,
        protocol: AGENT_PROTOCOL_VERSION,
        paired,
        certificates: paired ? (await options.provider.list()).map(describeKey) : [],
      };
      return { status: 200, body };
    }
    if (key === 'POST /v1/pair') {
      await readJson(req);
      const pairingId = randomBytes(16).toString('base64url');
      const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
      const expiresAt = now() + PAIRING_CODE_TTL_MS;
      pairings.set(pairingId, { code, origin, expiresAt, attempts: 0 });
      options.showPairingCode(code, origin);
      return { status: 200, body: { pairingId, expiresAt: new Date(expiresAt).toISOString() } };
    }
    if (key === 'POST /v1/pair/confirm') {
      const body = (await readJson(req)) as Partial<PairConfirmRequest>;
      const pairing = typeof body.pairingId === 'string' ? pairings.get(body.pairingId) : undefined;
      if (!pairing || pairing.origin !== origin || pairing.expiresAt <= now()) {
        throw new AgentError(403, 'pairing_failed', 'pairing request unknown or expired: start again');
      }
      pairing.attempts++;
      if (typeof body.code !== 'string' || !sameString(body.code, pairing.code)) {
        if (pairing.attempts >= PAIRING_CODE_ATTEMPTS) pairings.delete(body.pairingId as string);
        throw new AgentError(403, 'pairing_failed', 'wrong pairing code');
      }
      pairings.delete(body.pairingId as string);
      const pairingToken = randomBytes(32).toString('base64url');
      const expiresAt = now() + pairingTtl;
      tokens.set(pairingToken, { origin, expiresAt });
      return { status: 200, body: { pairingToken, expiresAt: new Date(expiresAt).toISOString() } };
    }
    if (key === 'POST /v1/sign') {
      if (!pairedOrigin(req, origin)) throw new AgentError(401, 'not_paired', 'pair with the agent first');
      const body = (await readJson(req)) as Partial<SignRequest>;
      if (typeof body.certificateId !== 'string' || typeof body.signedAttributesB64 !== 'string') {
        throw new AgentError(400, 'bad_request', 'certificateId and signedAttributesB64 are required');
      }
      const keys = await options.provider.list();
      const chosen = keys.find((k) => k.id === body.certificateId);
      if (!chosen) throw new AgentError(404, 'unknown_certificate', 'no such certificate in this agent');
      if (body.algorithm && body.algorithm !== chosen.algorithm) {
        throw new AgentError(400, 'bad_request', `this key signs with ${chosen.algorithm}, not ${body.algorithm}`);
      }
      const data = new Uint8Array(Buffer.from(body.signedAttributesB64, 'base64'));
      const messageDigest = checkSignedAttributes(data);
      const approved = await options.confirm({
        origin,
        signer: describeKey(chosen).subject,
        ...(body.document?.title ? { title: String(body.document.title).slice(0, 200) } : {}),
        ...(body.document?.sha256 ? { documentSha256: String(body.document.sha256).slice(0, 64) } : {}),
        messageDigest: Buffer.from(messageDigest).toString('hex'),
      });
      if (!approved) throw new AgentError(403, 'declined', 'the signature was declined on the agent');
      const signature = await options.provider.sign(chosen.id, data);
      return {
        status: 200,
        body: { signatureB64: Buffer.from(signature).toString('base64'), algorithm: chosen.algorithm, certificateId: chosen.id },
      };
    }
    throw new AgentError(404, 'bad_request', 'not found');
  };

  return async (req: IncomingMessage, res: ServerResponse) => {
    const send = (status: number, body: unknown, cors?: string) => {
      res.statusCode = status;
      res.setHeader('content-type', 'application/json');
      res.setHeader('cache-control', 'no-store');
      if (cors) {
        res.setHeader('access-control-allow-origin', cors);
        res.setHeader('vary', 'Origin');
      }
      res.end(JSON.stringify(body));
    };
    try {
      const host = req.headers.host ?? '';
      const p = port();
      if (![`127.0.0.1:${p}`, `localhost:${p}`, `[::1]:${p}`].includes(host)) {
        throw new AgentError(403, 'host_not_allowed', 'the agent only answers on its loopback address');
      }
      const origin = originOf(req);
      const cors = origin === 'local' ? undefined : origin;
      if (req.method === 'OPTIONS') {
        res.statusCode = 204;
        if (cors) {
          res.setHeader('access-control-allow-origin', cors);
          res.setHeader('access-control-allow-methods', 'GET, POST');
          res.setHeader('access-control-allow-headers', 'content-type, authorization');
          res.setHeader('access-control-max-age', '600');
          res.setHeader('vary', 'Origin');
          // Chrome's Private Network Access: a public page may reach loopback only if we say so.
          if (req.headers['access-control-request-private-network'] === 'true') {
            res.setHeader('access-control-allow-private-network', 'true');
          }
        }
        res.end();
        return;
      }
      const { status, body } = await route(req, origin);
      send(status, body, cors);
    } catch (caught) {
      const e = caught instanceof TokenError ? new AgentError(TOKEN_STATUS[caught.code], caught.code, caught.message) : caught;
      if (e instanceof AgentError) {
        const origin = req.headers.origin;
        send(
          e.status,
          { error: { code: e.code, message: e.message } },
          origin && options.allowedOrigins.includes(origin) ? origin : undefined,
        );
        return;
      }
      send(500, { error: { code: 'internal', message: (e as Error).message } });
    }
  };
};

/** Starts the agent on 127.0.0.1 (never on other interfaces). Port 0 picks a free one. */
export const startAgent = async (
  options: AgentServerOptions,
  port: number,
): Promise<{ url: string; port: number; close(): Promise<void> }> => {
  let bound = port;
  const server = createServer(createAgentHandler(options, () => bound));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  bound = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${bound}`,
    port: bound,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
};
