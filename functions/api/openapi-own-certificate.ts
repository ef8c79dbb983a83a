import { z } from 'zod';
import { completeSchema, prepareSchema, remoteSchema } from './routes/external-sign.js';
import { remoteSigningConfigSchema } from './routes/remote-signing.js';
import { sealCertificateSchema } from './routes/seal-certificate.js';

/** OpenAPI paths of signing with one's own certificate (issue 8): USB token two-phase, remote-signing CA (CSC), seal CSR/certificate. */
const schema = (s: z.ZodType) => z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' });
const json = (s: object) => ({ 'application/json': { schema: s } });
const errors = { '4XX': { description: 'Client error', content: json({ $ref: '#/components/schemas/Error' }) } };
const p = (name: string) => ({ name, in: 'path', required: true, schema: { type: 'string' } });
const tenant = [{ apiKey: [] }];

const refusals =
  'Refusals (nothing embedded, each recorded as recipient.signature_rejected in the audit trail): certificate_rejected (422: key usage, validity, no path to the trust list), signature_invalid (422: does not verify against the prepared signed attributes and certificate), signing_session_not_found (404), signing_session_used (409: replay), signing_session_expired (410), document_changed (409: another signer committed since prepare; prepare again).';

export const ownCertificatePaths = {
  '/v1/sign/{token}/methods': {
    get: {
      summary: 'Own-certificate methods the signer page offers: { usbToken, remote: { ca } | null }',
      parameters: [p('token')],
      responses: { 200: { description: 'Methods' }, ...errors },
    },
  },
  '/v1/sign/{token}/prepare': {
    post: {
      summary:
        'Phase 1 of signing with your own certificate (USB token via the local agent): pins your next revision of each document and returns the DER signed attributes to sign',
      description: `Response: { sessionId, expiresAt, signedAt (the /M time), signatureAlgorithm (ECDSA_SHA_256 | RSASSA_PKCS1_V1_5_SHA_256), documents: [{ documentId, signedAttributesDer (base64), digestHex, digestB64 }], and for one document signedAttributesDer and digest { hex, base64 } }. Sign SHA-256(signedAttributesDer) with the certificate's key. ${refusals}`,
      parameters: [p('token')],
      requestBody: { required: true, content: json(schema(prepareSchema)) },
      responses: { 200: { description: 'Prepared session' }, ...errors },
    },
  },
  '/v1/sign/{token}/complete': {
    post: {
      summary:
        'Phase 2: the signature value (or a full CMS) for the prepared session; verified, embedded with a signature timestamp, envelope goes on',
      description: refusals,
      parameters: [p('token')],
      requestBody: { required: true, content: json(schema(completeSchema)) },
      responses: { 200: { description: '{ status: "signed", envelope, recipient, documents }' }, ...errors },
    },
  },
  '/v1/sign/{token}/remote': {
    post: {
      summary:
        "Sign through the sender's remote-signing CA (CSC API): finds the signer's credential by userId, pins the revision, asks the CA; 202 while the signer confirms on their phone",
      description: `202 { status: "pending", sessionId, expiresAt, ca, pollAfterSeconds } or 200 { status: "signed", ... }. remote_signing_not_configured (409), remote_signing_refused (422), remote_signing_failed (502: the CA is down or answered nonsense). ${refusals}`,
      parameters: [p('token')],
      requestBody: { required: true, content: json(schema(remoteSchema)) },
      responses: { 200: { description: 'Signed' }, 202: { description: 'Pending confirmation' }, ...errors },
    },
  },
  '/v1/sign/{token}/remote/{sessionId}': {
    get: {
      summary:
        'Poll a pending remote signature: one check with the CA; 202 pending, 200 signed, 422 refused, 410 timed out (session expired)',
      parameters: [p('token'), p('sessionId')],
      responses: { 200: { description: 'Signed' }, 202: { description: 'Still pending' }, ...errors },
    },
  },
  '/v1/remote-signing': {
    put: {
      summary:
        "Set the tenant's remote-signing provider (CSC API v2: base URL, OAuth2 client id/secret, CA name); the secret is write-only",
      security: tenant,
      requestBody: { required: true, content: json(schema(remoteSigningConfigSchema)) },
      responses: { 200: { description: '{ baseUrl, clientId, caName }' }, ...errors },
    },
    get: {
      summary: "The tenant's remote-signing provider (without the secret)",
      security: tenant,
      responses: { 200: { description: 'Provider' }, ...errors },
    },
  },
  '/v1/seal/csr': {
    get: {
      summary:
        'PKCS#10 request for the seal, signed through its KMS key: subject C=VN, O and CN = company name, UID = "MST:<tax code>"; PEM (?format=der for DER)',
      security: tenant,
      responses: { 200: { description: 'application/pkcs10' }, ...errors },
    },
  },
  '/v1/seal/certificate': {
    post: {
      summary:
        "Install the seal certificate chain the CA returned (JSON { certificatesPem } or a PEM body): must carry the seal key's public key, allow signing, and chain to a trusted root",
      security: tenant,
      requestBody: { required: true, content: json(schema(sealCertificateSchema)) },
      responses: { 200: { description: '{ status: "active", subject, notAfter, certificatePem, chainPem }' }, ...errors },
    },
  },
};
