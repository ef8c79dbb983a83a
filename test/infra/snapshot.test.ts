import { describe, expect, it } from 'vitest';
import { synthKyso } from './synth.js';

/** Asset hashes change with every code change; the snapshot is about the infrastructure. */
const redact = (template: unknown) =>
  JSON.parse(JSON.stringify(template).replace(/[0-9a-f]{64}(\.zip)?/g, (_m, zip: string | undefined) => `<asset-hash>${zip ?? ''}`));

describe('template snapshot', () => {
  it('matches, asset hashes redacted', () => {
    const { json } = synthKyso();
    expect(redact(json)).toMatchSnapshot();
  });
});
