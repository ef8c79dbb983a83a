import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { appDeps } from '../../../clients/typescript/scripts/app-document.js';
import { createApp } from '../../../functions/api/app.js';
import { UNDOCUMENTED_PREFIXES } from '../../../functions/api/openapi.js';

/**
 * The contract is generated from the route definitions: this checks the generated document is
 * valid OpenAPI 3.1 (an outside validator, the official JSON Schemas) and that the routes the app
 * serves and the operations it documents are the same set. A route added with plain
 * `app.get/post(...)` instead of `router.openapi(createRoute(...), ...)` fails here.
 */
const deps = appDeps('http://127.0.0.1:1');

const app = createApp(deps);
const document = async () => (await (await app.request('/openapi.json')).json()) as { openapi: string; paths: Record<string, object> };

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];
const toOpenApiPath = (honoPath: string) => honoPath.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

describe('/openapi.json', () => {
  it('is valid OpenAPI 3.1 for an outside validator', async () => {
    const doc = await document();
    expect(doc.openapi).toBe('3.1.0');
    const validator = new Validator();
    const result = await validator.validate(doc as unknown as Record<string, unknown>);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('documents every route the app serves, and serves every route it documents', async () => {
    const doc = await document();
    const documented = new Set(
      Object.entries(doc.paths).flatMap(([path, item]) =>
        Object.keys(item)
          .filter((m) => METHODS.includes(m))
          .map((m) => `${m.toUpperCase()} ${path}`),
      ),
    );
    const served = new Set(
      app.routes
        .filter((r) => r.method !== 'ALL')
        .filter((r) => !UNDOCUMENTED_PREFIXES.some((p) => r.path === p || r.path.startsWith(p)))
        .map((r) => `${r.method} ${toOpenApiPath(r.path)}`),
    );
    expect([...served].filter((r) => !documented.has(r)).sort()).toEqual([]);
    expect([...documented].filter((r) => !served.has(r)).sort()).toEqual([]);
    // Sanity: the list is the whole API, not an empty set compared with another.
    expect(served.size).toBeGreaterThan(40);
  });

  it('every operation names its error codes, and every JSON body and response has a schema', async () => {
    const doc = (await document()) as unknown as {
      paths: Record<
        string,
        Record<string, { responses: Record<string, { description: string; content?: Record<string, { schema?: object }> }> }>
      >;
    };
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        const statuses = Object.keys(op.responses);
        expect(
          statuses.some((s) => s.startsWith('2')),
          `${method} ${path} has a success response`,
        ).toBe(true);
        for (const [status, res] of Object.entries(op.responses)) {
          for (const [type, media] of Object.entries(res.content ?? {}))
            expect(media.schema, `${method} ${path} ${status} ${type}`).toBeTruthy();
          if (status.startsWith('4')) expect(res.description).toMatch(/^Error: [a-z_]+/);
        }
      }
    }
  });
});
