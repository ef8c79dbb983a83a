import { Hono } from 'hono';
import { z } from 'zod';
import { AppError } from '../../../shared/errors.js';
import { changeLegalHold } from '../../../shared/retention/legal-hold.js';
import type { AppDeps, AppEnv } from '../context.js';
import { jsonBody } from '../json-body.js';
import { presentEnvelope } from '../present.js';
import { requestMeta } from '../request-meta.js';

export const legalHoldSchema = z.object({ reason: z.string().trim().min(1).max(1000) }).strict();

/** POST / DELETE /v1/envelopes/{id}/legal-hold (issue 17). */
export const legalHoldRoutes = (deps: AppDeps) => {
  const app = new Hono<AppEnv>();
  const archiveDeps = () => {
    if (!deps.archive) throw new AppError('invalid_state', 'This deployment has no document archive.');
    return { ...deps, archive: deps.archive };
  };
  app.post('/:id/legal-hold', async (c) => {
    const { reason } = legalHoldSchema.parse(await jsonBody(c.req.raw));
    const r = await changeLegalHold(archiveDeps(), c.get('tenantId'), c.req.param('id'), { on: true, reason }, requestMeta(c));
    deps.logger.info('legal hold set', { tenantId: r.envelope.tenantId, envelopeId: r.envelope.id, objects: r.objects });
    return c.json({ objects: r.objects, envelope: presentEnvelope(r.envelope) });
  });
  app.delete('/:id/legal-hold', async (c) => {
    const r = await changeLegalHold(archiveDeps(), c.get('tenantId'), c.req.param('id'), { on: false }, requestMeta(c));
    deps.logger.info('legal hold cleared', { tenantId: r.envelope.tenantId, envelopeId: r.envelope.id, objects: r.objects });
    return c.json({ objects: r.objects, envelope: presentEnvelope(r.envelope) });
  });
  return app;
};
