import { createHash, createHmac } from 'node:crypto';

/** What a request is signed with: the SDK's resolved credentials (a Lambda's role carries a session token). */
export interface SigningCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

export interface SignableRequest {
  readonly method: string;
  readonly host: string;
  readonly path: string;
  /** Lower-case names; every one of them is signed (host, x-amz-date and the token are added). */
  readonly headers: Record<string, string>;
  readonly body: string | Uint8Array;
}

/** The signing key depends on the secret, the day, the region and the service: one HMAC chain a day, not one per request. */
let keyCache: { readonly scope: string; readonly secret: string; readonly key: Buffer } | undefined;

const hmac = (key: string | Buffer, data: string): Buffer => createHmac('sha256', key).update(data).digest();

const signingKey = (secret: string, day: string, region: string, service: string): Buffer => {
  const scope = `${day}/${region}/${service}`;
  if (keyCache?.scope === scope && keyCache.secret === secret) return keyCache.key;
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, day), region), service), 'aws4_request');
  keyCache = { scope, secret, key };
  return key;
};

/**
 * AWS Signature Version 4 for one request whose path needs no escaping and which has no query
 * string (the JSON protocols: DynamoDB, KMS, SQS...): the headers to send, with `authorization`.
 * Written here because the SDK's pipeline around the same signature cost about 1 ms of CPU per
 * DynamoDB call (functions/aws/dynamo-document-client.ts); test/unit/aws/sigv4.test.ts checks
 * it against the SDK's own signer.
 */
export const signV4 = (
  request: SignableRequest,
  scope: { readonly region: string; readonly service: string },
  credentials: SigningCredentials,
  now: Date,
): Record<string, string> => {
  const amzDate = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  const day = amzDate.slice(0, 8);
  const headers: Record<string, string> = { ...request.headers, host: request.host, 'x-amz-date': amzDate };
  if (credentials.sessionToken) headers['x-amz-security-token'] = credentials.sessionToken;
  const names = Object.keys(headers).sort();
  const canonicalHeaders = names.map((n) => `${n}:${String(headers[n]).trim().replace(/\s+/g, ' ')}\n`).join('');
  const signedHeaders = names.join(';');
  const payloadHash = createHash('sha256').update(request.body).digest('hex');
  const canonicalRequest = `${request.method}\n${request.path}\n\n${canonicalHeaders}\n${signedHeaders}\n${payloadHash}`;
  const credentialScope = `${day}/${scope.region}/${scope.service}/aws4_request`;
  const stringToSign = `AWS4-HMAC-SHA256\n${amzDate}\n${credentialScope}\n${createHash('sha256').update(canonicalRequest).digest('hex')}`;
  const signature = createHmac('sha256', signingKey(credentials.secretAccessKey, day, scope.region, scope.service))
    .update(stringToSign)
    .digest('hex');
  headers.authorization = `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${credentialScope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return headers;
};
