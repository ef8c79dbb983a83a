import { createRoute, z } from '@hono/zod-openapi';
import { createEmbeddedLink, EMBED_LINK_TTL_MS } from '../../../shared/envelope/embedded-link.js';
import type { AppDeps } from '../context.js';
import { createRouter, errors, jsonBody, jsonContent, pathParams, TENANT } from '../openapi.js';
import { requestMeta } from '../request-meta.js';

export const embeddedLinkSchema = z
  .object({
    allowedOrigin: z.string().max(300).openapi({
      description: 'The only origin that may frame the page and receive its postMessage events (https; http only on loopback)',
    }),
    returnUrl: z
      .string()
      .max(2000)
      .openapi({ description: 'Where the page sends the signer when it is not framed (redirect mode); on allowedOrigin' }),
  })
  .strict()
  .openapi('EmbeddedLinkRequest', {
    example: { allowedOrigin: 'https://hr.example.vn', returnUrl: 'https://hr.example.vn/hop-dong/123/xong' },
  });

const EmbeddedLinkSchema = z
  .object({
    url: z
      .string()
      .openapi({ description: 'Open once, in an iframe on allowedOrigin or as a redirect; /assets/kyso-embed.js does either' }),
    expiresAt: z.string().openapi({ format: 'date-time' }),
  })
  .openapi('EmbeddedLink');

/** Embedded signing: a short-lived, single-use URL to the signer page for the tenant's own site. */
export const embeddedLinkRoutes = (deps: AppDeps) => {
  const app = createRouter();
  app.openapi(
    createRoute({
      method: 'post',
      path: '/{id}/recipients/{rid}/embedded-link',
      tags: ['Embedded signing'],
      summary: `A single-use URL (${EMBED_LINK_TTL_MS / 60_000} minutes) to the signer page for an iframe on your site, or a redirect`,
      description: [
        'For a signer or approver whose turn it is (any recipient; `delivery: "embedded"` ones are never messaged).',
        'The page may be framed only by `allowedOrigin` (CSP frame-ancestors) and posts `{type: "kyso:signed" | "kyso:approved" | "kyso:declined" | "kyso:error", envelopeId, recipientId}`',
        'to that origin only (`kyso:ready` when it has loaded). Opening the URL a second time fails; once opened, the signer has an hour.',
        'Not framed, the page returns to `returnUrl` with `?kyso_event=signed|approved|declined`.',
      ].join(' '),
      security: TENANT,
      request: { params: pathParams('id', 'rid'), body: jsonBody(embeddedLinkSchema) },
      responses: {
        201: jsonContent(EmbeddedLinkSchema, 'The URL to open'),
        ...errors(
          'unauthorized',
          'envelope_not_found',
          'unknown_recipient',
          'invalid_allowed_origin',
          'invalid_return_url',
          'wrong_role',
          'invalid_state',
          'not_your_turn',
          'envelope_voided',
          'envelope_declined',
          'envelope_expired',
        ),
      },
    }),
    async (c) => {
      const link = await createEmbeddedLink(
        deps,
        c.get('tenantId'),
        c.req.param('id'),
        c.req.param('rid'),
        c.req.valid('json'),
        requestMeta(c),
      );
      deps.logger.info('embedded link created', { tenantId: c.get('tenantId'), envelopeId: c.req.param('id') });
      return c.json(link, 201);
    },
  );
  return app;
};
