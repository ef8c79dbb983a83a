import { createRoute } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { AppError } from '../../../shared/errors.js';
import { answerTimestampQuery } from '../../../shared/pki/timestamp-response.js';
import type { AppDeps } from '../context.js';
import { binaryContent, createRouter, errors } from '../openapi.js';

/** A TimeStampReq is under 200 bytes; anything near this limit is not one. */
export const MAX_TIMESTAMP_QUERY_BYTES = 10 * 1024;

/**
 * The platform's RFC 3161 time-stamping authority (section 3.4, TSA over HTTP), open to
 * anyone: a timestamp only says "this hash existed at this time", it reveals nothing.
 *
 * Status codes, decided deliberately:
 * - granted → 200 with the TimeStampResp.
 * - a DER TimeStampReq we refuse (hash other than SHA-256/384/512, wrong hash length, other
 *   policy, extensions, version ≠ 1) → 400, but the body is still an RFC 3161 TimeStampResp
 *   (status rejection, failInfo badAlg / badDataFormat / ...), content type
 *   application/timestamp-reply. RFC 3161 does not fix the HTTP status; a 4xx tells HTTP-level
 *   callers and monitoring that the request was at fault, and RFC clients that read the body
 *   whatever the status (openssl, most libraries) still get the failInfo.
 * - bytes that are not a DER TimeStampReq at all → 400 with the API's JSON error
 *   (invalid_timestamp_request): there is no request to answer in RFC 3161 terms.
 * - another content type → 415; over the size limit → 413.
 */
export const tsaRoutes = (deps: AppDeps) => {
  const app = createRouter();
  const route = createRoute({
    method: 'post',
    path: '/',
    tags: ['PKI'],
    summary: 'RFC 3161 time-stamping authority (TimeStampReq → TimeStampResp over HTTP), open to anyone',
    description:
      'A refused but well-formed request (hash other than SHA-256/384/512, other policy, extensions) answers 400 with an RFC 3161 rejection body (application/timestamp-reply); bytes that are not a TimeStampReq answer 400 invalid_timestamp_request (JSON).',
    request: {
      body: {
        required: true,
        content: { 'application/timestamp-query': { schema: { type: 'string', format: 'binary' } } },
      },
    },
    responses: {
      200: binaryContent('application/timestamp-reply', 'Granted: the TimeStampResp'),
      ...errors('invalid_timestamp_request', 'payload_too_large', 'unsupported_media_type'),
    },
  });
  app.openapi(
    {
      ...route,
      middleware: [
        bodyLimit({
          maxSize: MAX_TIMESTAMP_QUERY_BYTES,
          onError: () => {
            throw new AppError('payload_too_large', `A timestamp query is at most ${MAX_TIMESTAMP_QUERY_BYTES} bytes.`);
          },
        }),
      ] as const,
    },
    async (c) => {
      const type = (c.req.header('content-type') ?? '').split(';')[0]?.trim().toLowerCase();
      if (type !== 'application/timestamp-query') {
        throw new AppError('unsupported_media_type', 'Send a DER TimeStampReq as application/timestamp-query.');
      }
      const query = new Uint8Array(await c.req.arrayBuffer());
      const pki = await deps.pki();
      const answer = await answerTimestampQuery(query, pki.tsa, deps.clock);
      return c.body(answer.response as Uint8Array<ArrayBuffer>, (answer.status === 'granted' ? 200 : 400) as 200, {
        'content-type': 'application/timestamp-reply',
        'cache-control': 'no-store',
      });
    },
  );
  return app;
};
