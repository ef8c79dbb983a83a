import { constants, generateKeyPairSync, type KeyObject, privateEncrypt, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { issueCertificate } from '../../shared/pki/certificate.js';
import type { CscProviderConfig } from '../../shared/remote/csc-client.js';
import { createTestPki } from './test-pki.js';

/**
 * A remote-signing CA speaking the CSC API v2 over HTTP on 127.0.0.1, for tests: OAuth2
 * client credentials, credentials/list, credentials/info, credentials/authorize (+ the
 * asynchronous authorizeCheck), signatures/signHash. Keys are RSA-2048 in memory (what the
 * Vietnamese RSSPs mostly issue, and RSA PKCS#1 v1.5 over a pre-computed hash is a plain
 * private-key operation); certificates come from the server's own test CA.
 *
 * `behaviour` decides how the signer "answers on their phone": at once, after `delayMs`,
 * refusing, or never (the caller's timeout must fire); `down` makes every call a 503.
 */
export interface CscBehaviour {
  confirmation: 'immediate' | 'delayed' | 'refuse' | 'never';
  delayMs: number;
  down: boolean;
}

const DIGEST_INFO_SHA256 = Buffer.from('3031300d060960864801650304020105000420', 'hex');
const RSA_SHA256 = '1.2.840.113549.1.1.11';

export const startCscTestServer = async (options: { clientId?: string; clientSecret?: string; caName?: string } = {}) => {
  const pki = await createTestPki('ECC_NIST_P256');
  const clientId = options.clientId ?? 'kyso-test';
  const clientSecret = options.clientSecret ?? randomBytes(12).toString('hex');
  const behaviour: CscBehaviour = { confirmation: 'immediate', delayMs: 0, down: false };
  const tokens = new Set<string>();
  const users = new Map<string, string[]>();
  const credentials = new Map<string, { key: KeyObject; chain: Uint8Array[] }>();
  const requests = new Map<string, { credentialId: string; hashes: string[]; at: number }>();
  const sads = new Map<string, { credentialId: string; hashes: string[]; used: boolean }>();
  const log: string[] = [];

  const addUser = async (userId: string, name: string) => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const now = Date.now();
    const certificate = await issueCertificate({
      subject: { commonName: name, organization: 'Người dùng SmartCA thử nghiệm', country: 'VN' },
      subjectPublicKey: new Uint8Array(publicKey.export({ format: 'der', type: 'spki' })),
      profile: 'document-signing',
      serialNumber: randomBytes(16),
      notBefore: new Date(now - 86400_000),
      notAfter: new Date(now + 365 * 86400_000),
      issuerSigner: pki.caKey,
      issuerCertificate: pki.ca,
    });
    const credentialId = `cred-${randomBytes(6).toString('hex')}`;
    credentials.set(credentialId, { key: privateKey, chain: [certificate, pki.ca, pki.root] });
    users.set(userId, [...(users.get(userId) ?? []), credentialId]);
    return { credentialId, certificate };
  };

  const read = async (req: IncomingMessage) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    return (req.headers['content-type'] ?? '').includes('json')
      ? (JSON.parse(text || '{}') as Record<string, unknown>)
      : Object.fromEntries(new URLSearchParams(text));
  };

  const confirmed = (at: number) =>
    behaviour.confirmation === 'immediate' || (behaviour.confirmation === 'delayed' && Date.now() - at >= behaviour.delayMs);

  const grant = (credentialId: string, hashes: string[]) => {
    const sad = randomBytes(16).toString('base64url');
    sads.set(sad, { credentialId, hashes, used: false });
    return { SAD: sad, expiresIn: 300 };
  };

  const server = createServer(async (req, res) => {
    const reply = (status: number, body: unknown) => {
      res.statusCode = status;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(body));
    };
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    log.push(path);
    try {
      const body = await read(req);
      if (behaviour.down) return reply(503, { error: 'temporarily_unavailable' });
      if (path === '/oauth2/token') {
        if (body.grant_type !== 'client_credentials' || body.client_id !== clientId || body.client_secret !== clientSecret) {
          return reply(401, { error: 'invalid_client' });
        }
        const token = randomBytes(16).toString('hex');
        tokens.add(token);
        return reply(200, { access_token: token, token_type: 'Bearer', expires_in: 3600 });
      }
      const bearer = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
      if (!bearer || !tokens.has(bearer)) return reply(401, { error: 'invalid_token' });
      const credentialId = String(body.credentialID ?? '');
      const cred = credentials.get(credentialId);
      switch (path) {
        case '/csc/v2/credentials/list':
          return reply(200, { credentialIDs: users.get(String(body.userID)) ?? [] });
        case '/csc/v2/credentials/info':
          if (!cred) return reply(400, { error: 'invalid_request', error_description: 'unknown credentialID' });
          return reply(200, {
            key: { status: 'enabled', algo: [RSA_SHA256], len: 2048 },
            cert: { status: 'valid', certificates: cred.chain.map((c) => Buffer.from(c).toString('base64')) },
            authMode: 'explicit',
            SCAL: '2',
          });
        case '/csc/v2/credentials/authorize': {
          if (!cred) return reply(400, { error: 'invalid_request', error_description: 'unknown credentialID' });
          const hashes = (body.hashes as string[]) ?? [];
          if (behaviour.confirmation === 'immediate') return reply(200, grant(credentialId, hashes));
          const requestID = randomBytes(8).toString('hex');
          requests.set(requestID, { credentialId, hashes, at: Date.now() });
          return reply(202, { requestID, expiresIn: 300 });
        }
        case '/csc/v2/credentials/authorizeCheck': {
          const pending = requests.get(String(body.requestID));
          if (!pending || pending.credentialId !== credentialId)
            return reply(400, { error: 'invalid_request', error_description: 'unknown requestID' });
          if (behaviour.confirmation === 'refuse') {
            requests.delete(String(body.requestID));
            return reply(400, { error: 'access_denied', error_description: 'Người dùng từ chối ký / the signer refused' });
          }
          if (!confirmed(pending.at)) return reply(202, { requestID: body.requestID });
          requests.delete(String(body.requestID));
          return reply(200, grant(credentialId, pending.hashes));
        }
        case '/csc/v2/signatures/signHash': {
          const sad = sads.get(String(body.SAD));
          const hashes = (body.hashes as string[]) ?? [];
          // The SAD authorises exactly these hashes, once, for this credential.
          if (!cred || !sad || sad.used || sad.credentialId !== credentialId || JSON.stringify(sad.hashes) !== JSON.stringify(hashes)) {
            return reply(400, { error: 'invalid_request', error_description: 'SAD does not authorise these hashes' });
          }
          if (body.signAlgo !== RSA_SHA256) return reply(400, { error: 'invalid_request', error_description: 'unsupported signAlgo' });
          sad.used = true;
          const signatures = hashes.map((h) =>
            privateEncrypt(
              { key: cred.key, padding: constants.RSA_PKCS1_PADDING },
              Buffer.concat([DIGEST_INFO_SHA256, Buffer.from(h, 'base64')]),
            ).toString('base64'),
          );
          return reply(200, { signatures });
        }
        default:
          return reply(404, { error: 'invalid_request', error_description: `no ${path}` });
      }
    } catch (e) {
      return reply(500, { error: 'server_error', error_description: (e as Error).message });
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const config: CscProviderConfig = { baseUrl: url, clientId, clientSecret, caName: options.caName ?? 'Test SmartCA' };
  return {
    url,
    config,
    behaviour,
    log,
    rootPem: pki.rootPem,
    root: pki.root,
    addUser,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
};

export type CscTestServer = Awaited<ReturnType<typeof startCscTestServer>>;
