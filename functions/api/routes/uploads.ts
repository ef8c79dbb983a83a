import { createRoute, z } from '@hono/zod-openapi';
import { uploadKey } from '../../../shared/uploads/ports.js';
import { randomId } from '../../../shared/util/bytes.js';
import type { AppDeps } from '../context.js';
import { createRouter, errors, jsonBody, jsonContent, TENANT } from '../openapi.js';

const UPLOAD_TTL_SECONDS = 15 * 60;

/** `POST /v1/uploads {size}` → a presigned PUT URL for one PDF, then create the envelope with `{ name, uploadId }`. */
export const uploadRoutes = (deps: AppDeps) => {
  const app = createRouter();
  app.openapi(
    createRoute({
      method: 'post',
      path: '/',
      tags: ['Envelopes'],
      summary: 'A presigned S3 PUT URL for one large PDF; then create the envelope with documents: [{ name, uploadId }]',
      security: TENANT,
      request: {
        body: jsonBody(
          z.object({ size: z.number().int().positive().max(deps.maxPresignedUploadBytes).openapi({ description: 'Bytes of the PDF' }) }),
        ),
      },
      responses: {
        201: jsonContent(
          z.object({
            uploadId: z.string(),
            method: z.literal('PUT'),
            url: z.string(),
            headers: z.record(z.string(), z.string()),
            expiresAt: z.string(),
          }),
          'Where to PUT the PDF (15 minutes)',
        ),
        ...errors('unauthorized'),
      },
    }),
    async (c) => {
      const { size } = c.req.valid('json');
      const uploadId = randomId(16);
      const url = await deps.presigned.presignPut(uploadKey(c.get('tenantId'), uploadId), size, UPLOAD_TTL_SECONDS);
      const expiresAt = new Date(deps.clock.now().getTime() + UPLOAD_TTL_SECONDS * 1000).toISOString();
      return c.json(
        {
          uploadId,
          method: 'PUT' as const,
          url,
          headers: { 'content-type': 'application/pdf', 'content-length': String(size) },
          expiresAt,
        },
        201,
      );
    },
  );
  return app;
};
