/** Phone channels (SMS, Zalo) and identity proofing in the OpenAPI document (functions/api/openapi.ts spreads these into `paths`). */
const errors = {
  '4XX': { description: 'Client error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
};
const path = (name: string) => ({ name, in: 'path', required: true, schema: { type: 'string' } });
const token = path('token');

export const phoneIdentityPaths = {
  '/v1/envelopes/{id}/deliveries': {
    get: {
      summary: 'SMS and Zalo messages of an envelope and their delivery status',
      description:
        'One entry per message handed to a provider (SNS for SMS, ZNS for Zalo): recipientId, channel, kind (invitation, reminder, otp, completed), status sent → delivered | failed as receipts arrive.',
      security: [{ apiKey: [] }],
      parameters: [path('id')],
      responses: { 200: { description: '{ deliveries: [...] }' }, ...errors },
    },
  },
  '/callbacks/zalo': {
    post: {
      summary: 'Zalo OA webhook: ZNS delivery receipts',
      description:
        'Configured in the Zalo OA as the webhook URL. Checked with X-ZEvent-Signature: mac=sha256(app_id + body + timestamp + OA secret key); `user_received_message` marks the message delivered. 401 for a bad signature.',
      responses: { 200: { description: '{ ok: true }' }, ...errors },
    },
  },
  '/v1/sign/{token}/identity/document': {
    post: {
      summary: 'Prove identity with the citizen ID card (front, back) and a selfie (eKYC)',
      description:
        'JSON {front, back, selfie}: base64 JPEG/PNG, each ≤ 2 MB. The eKYC provider reads the card and matches the face; the name must match the recipient’s (case, spaces and diacritics aside) and the ID number the one the sender gave. 422 identity_mismatch (details.reason, attemptsLeft), 423 identity_locked after 5 failures, 503 identity_provider_unavailable (not counted). Images are stored encrypted and never returned.',
      parameters: [token],
      responses: { 200: { description: '{ verified: true, evidence }' }, ...errors },
    },
  },
  '/v1/sign/{token}/identity/oidc': {
    post: {
      summary: 'Start proving identity with VNeID through an OpenID Connect provider',
      description:
        'Returns the authorization URL (authorization code + PKCE S256, state, nonce). The provider sends the browser back to /identity/oidc/callback.',
      parameters: [token],
      responses: { 200: { description: '{ authorizationUrl }' }, ...errors },
    },
  },
  '/identity/oidc/callback': {
    get: {
      summary: 'OpenID Connect redirect URI',
      description:
        'Exchanges the code, verifies the ID token against the provider’s JWKS (issuer, audience, expiry, nonce), checks the claims against the recipient and records the evidence; answers with a small page sending the signer back to their link.',
      parameters: [
        { name: 'code', in: 'query', schema: { type: 'string' } },
        { name: 'state', in: 'query', required: true, schema: { type: 'string' } },
      ],
      responses: { 200: { description: 'HTML' }, ...errors },
    },
  },
  '/dev/sms': {
    get: {
      summary: 'Local mode only: SMS sent so far',
      responses: { 200: { description: '{ messages: [{ to, kind, text, messageId }] }' } },
    },
  },
  '/dev/zalo': {
    get: {
      summary: 'Local mode only: Zalo (ZNS) messages sent so far',
      responses: { 200: { description: '{ messages: [{ to, kind, params, messageId }] }' } },
    },
  },
};
