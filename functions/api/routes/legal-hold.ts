import { createRoute, z } from '@hono/zod-openapi';
import { AppError } from '../../../shared/errors.js';
import { changeLegalHold } from '../../../shared/retention/legal-hold.js';
import type { AppDeps } from '../context.js';
import { createRouter, errors, jsonBody, jsonContent, pathParams, TENANT } from '../openapi.js';
import { EnvelopeSchema, presentEnvelope } from '../present.js';
import { requestMeta } from '../request-meta.js';

export const legalHoldSchema = z
  .object({ reason: z.string().trim().min(1).max(1000).openapi({ example: 'Tranh chấp lao động số 12/2026' }) })
  .strict()
  .openapi('LegalHold');

const held = jsonContent(
  z.object({ objects: z.number().int().openapi({ description: 'Archived objects whose hold changed' }), envelope: EnvelopeSchema }),
  'The hold changed on every archived object of the envelope',
);
const ERRORS = ['unauthorized', 'envelope_not_found', 'invalid_state'] as const;

/** POST / DELETE /v1/envelopes/{id}/legal-hold (issue 17). */
export const legalHoldRoutes = (deps: AppDeps) => {
  const app = createRouter();
  const archiveDeps = () => {
    if (!deps.archive) throw new AppError('invalid_state', 'This deployment has no document archive.');
    return { ...deps, archive: deps.archive };
  };
  app.openapi(
    createRoute({
      method: 'post',
      path: '/{id}/legal-hold',
      tags: ['Retention'],
      summary: 'Set a legal hold: nothing of the envelope may be deleted or erased until it is cleared',
      security: TENANT,
      request: { params: pathParams('id'), body: jsonBody(legalHoldSchema) },
      responses: { 200: held, ...errors(...ERRORS, 'legal_hold_exists') },
    }),
    async (c) => {
      const { reason } = c.req.valid('json');
      const r = await changeLegalHold(archiveDeps(), c.get('tenantId'), c.req.param('id'), { on: true, reason }, requestMeta(c));
      deps.logger.info('legal hold set', { tenantId: r.envelope.tenantId, envelopeId: r.envelope.id, objects: r.objects });
      return c.json({ objects: r.objects, envelope: presentEnvelope(r.envelope) }, 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'delete',
      path: '/{id}/legal-hold',
      tags: ['Retention'],
      summary: 'Clear the legal hold',
      security: TENANT,
      request: { params: pathParams('id') },
      responses: { 200: held, ...errors(...ERRORS, 'no_legal_hold') },
    }),
    async (c) => {
      const r = await changeLegalHold(archiveDeps(), c.get('tenantId'), c.req.param('id'), { on: false }, requestMeta(c));
      deps.logger.info('legal hold cleared', { tenantId: r.envelope.tenantId, envelopeId: r.envelope.id, objects: r.objects });
      return c.json({ objects: r.objects, envelope: presentEnvelope(r.envelope) }, 200);
    },
  );
  return app;
};
