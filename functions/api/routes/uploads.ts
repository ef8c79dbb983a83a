import { Hono } from 'hono';
import { z } from 'zod';
import { uploadKey } from '../../../shared/uploads/ports.js';
import { randomId } from '../../../shared/util/bytes.js';
import type { AppDeps, AppEnv } from '../context.js';

const UPLOAD_TTL_SECONDS = 15 * 60;

/** `POST /v1/uploads {size}` → a presigned PUT URL for one PDF, then create the envelope with `{ name, uploadId }`. */
export const uploadRoutes = (deps: AppDeps) => {
  const app = new Hono<AppEnv>();
  app.post('/', async (c) => {
    const { size } = z
      .object({ size: z.number().int().positive().max(deps.maxPresignedUploadBytes) })
      .parse(await c.req.json().catch(() => ({})));
    const uploadId = randomId(16);
    const url = await deps.presigned.presignPut(uploadKey(c.get('tenantId'), uploadId), size, UPLOAD_TTL_SECONDS);
    const expiresAt = new Date(deps.clock.now().getTime() + UPLOAD_TTL_SECONDS * 1000).toISOString();
    return c.json(
      { uploadId, method: 'PUT', url, headers: { 'content-type': 'application/pdf', 'content-length': String(size) }, expiresAt },
      201,
    );
  });
  return app;
};
