import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { appOpenApiDocument } from '../../../clients/typescript/scripts/app-document.js';
import { GENERATED_FILE, generateTypes } from '../../../clients/typescript/scripts/generate.js';

/**
 * The client's types are generated from the app's /openapi.json and committed: this fails when a
 * route or schema changed and `npm run client:generate` was not run (the client would then
 * type-check calls against an API that no longer exists).
 */
describe('clients/typescript generated types', () => {
  it('match what openapi-typescript makes from the current /openapi.json', async () => {
    const document = await appOpenApiDocument();
    const fresh = await generateTypes(document);
    const committed = readFileSync(GENERATED_FILE, 'utf8');
    // Sanity: the document really is the API, and the file really has its operations.
    expect(Object.keys(document.paths as object).length).toBeGreaterThan(40);
    expect(fresh).toContain('"/v1/envelopes/{id}/send"');
    expect(committed === fresh, 'clients/typescript/src/generated/openapi.ts is stale: run `npm run client:generate`').toBe(true);
  });

  it('are deterministic (two generations are byte-equal)', async () => {
    const document = await appOpenApiDocument();
    expect(await generateTypes(document)).toBe(await generateTypes(structuredClone(document)));
  });
});
