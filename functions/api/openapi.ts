import { OpenAPIHono, z } from '@hono/zod-openapi';
import type { Env } from 'hono';
import { ERROR_STATUS } from '../../shared/errors.js';
import type { AppEnv } from './context.js';

/**
 * The API contract has one source: the route definitions. Every route is declared with
 * `createRoute({...})` beside its handler (request and response schemas, status codes, error
 * codes, security, examples) and registered with `router.openapi(route, handler)`; the same
 * definition validates the request and is what /openapi.json says. ARCHITECTURE.md "How to add
 * a route" shows the pattern; test/integration/openapi.test.ts fails for a route served but not
 * documented (or documented but not served).
 */
export type ErrorCode = keyof typeof ERROR_STATUS;

/**
 * A router for one resource. A request that fails its route's schemas throws the ZodError,
 * so errors.ts answers it like every other one: 400 `validation_failed` with the issues.
 */
export const createRouter = <E extends Env = AppEnv>() =>
  new OpenAPIHono<E>({
    defaultHook: (result) => {
      if (!result.success) throw result.error;
    },
  });

export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.enum(Object.keys(ERROR_STATUS) as [ErrorCode, ...ErrorCode[]]).openapi({ description: 'Stable machine-readable code' }),
      message: z.string().openapi({ description: 'For people; may change' }),
      details: z.unknown().optional().openapi({ description: 'Per-code details, e.g. validation issues' }),
      requestId: z.string().optional(),
    }),
  })
  .openapi('Error', { example: { error: { code: 'validation_failed', message: 'title: Too small' } } });

/**
 * The error responses of a route, grouped by status, each naming its stable codes. Every route
 * can also answer 400 validation_failed / bad_request and 500 internal; those are added here.
 */
export const errors = (...codes: ErrorCode[]) => {
  const all = new Set<ErrorCode>(['validation_failed', ...codes]);
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of all) byStatus.set(ERROR_STATUS[code], [...(byStatus.get(ERROR_STATUS[code]) ?? []), code]);
  const out: Record<number, { description: string; content: { 'application/json': { schema: typeof ErrorSchema } } }> = {};
  for (const [status, list] of [...byStatus].sort((a, b) => a[0] - b[0])) {
    out[status] = { description: `Error: ${list.join(', ')}`, content: { 'application/json': { schema: ErrorSchema } } };
  }
  return out;
};

/** The same errors for every signer route: the link itself may be dead, or need a code first. */
export const LINK_ERRORS: ErrorCode[] = [
  'token_invalid',
  'token_expired',
  'envelope_voided',
  'envelope_declined',
  'envelope_expired',
  'verification_required',
];

export const jsonContent = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

export const jsonBody = <T extends z.ZodType>(schema: T, description?: string) => ({
  required: true,
  ...(description ? { description } : {}),
  content: { 'application/json': { schema } },
});

/** A binary response (PDF, certificate, CRL, ...). */
export const binaryContent = (mediaType: string, description: string) => ({
  description,
  content: { [mediaType]: { schema: z.string().openapi({ type: 'string', format: 'binary' }) } },
});

/** Path parameters by name, all plain strings. */
export const pathParams = <K extends string>(...names: K[]) =>
  z.object(Object.fromEntries(names.map((n) => [n, z.string().min(1).max(200)])) as Record<K, z.ZodString>);

export const TENANT = [{ apiKey: [] }];
export const ADMIN = [{ adminKey: [] }];

/** Page through a list: `limit` (1–100, default 25) and the `cursor` of the previous page. */
export const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).optional().openapi({ example: 25 }),
  cursor: z.string().max(2000).optional(),
});

/**
 * Routes the app serves that are not part of the API contract: pages for people (HTML), their
 * static assets, the console's own session-cookie API (the tenant routes again, see routes/console.ts),
 * the interactive docs and local-mode /dev helpers. Everything else must be in /openapi.json.
 */
export const UNDOCUMENTED_PREFIXES = [
  '/s/',
  '/assets/',
  '/app',
  '/verify',
  '/docs',
  '/openapi.json',
  '/dev/',
  '/embed/',
  '/identity/',
] as const;

/** /openapi.json: generated from the app's route definitions (OpenAPI 3.1). */
export const openApiDocument = (app: OpenAPIHono<AppEnv>, serverUrl: string) => {
  app.openAPIRegistry.registerComponent('securitySchemes', 'apiKey', {
    type: 'http',
    scheme: 'bearer',
    description: "The tenant's API key: `Authorization: Bearer kyso_…`",
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'adminKey', {
    type: 'http',
    scheme: 'bearer',
    description: 'The deployment admin key (creates tenants)',
  });
  return app.getOpenAPI31Document({
    openapi: '3.1.0',
    info: {
      title: 'Kyso API',
      version: '1.0.0',
      description:
        'E-contract signing with PAdES signatures whose keys live in AWS KMS. Tenants authenticate with `Authorization: Bearer <api key>`; signers hold only a link token. Every POST honours `Idempotency-Key`. Errors are `{"error":{"code","message"}}`; each operation lists its codes by status. Any operation may also answer 500 `internal` (with a `requestId`) and 503 `service_unavailable` with `Retry-After` when a dependency (DynamoDB, S3, KMS, SQS) is down or throttling: retry after that delay with the same `Idempotency-Key`. All codes: ' +
        Object.entries(ERROR_STATUS)
          .map(([code, status]) => `${code} (${status})`)
          .join(', '),
    },
    servers: [{ url: serverUrl }],
  });
};
