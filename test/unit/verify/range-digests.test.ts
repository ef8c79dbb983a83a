import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createRangeDigests } from '../../../shared/verify/range-digests.js';

const direct = (hash: string, bytes: Uint8Array, [s, a, b, c]: readonly number[]) =>
  new Uint8Array(
    createHash(hash)
      .update(bytes.subarray(s, (s ?? 0) + (a ?? 0)))
      .update(bytes.subarray(b, (b ?? 0) + (c ?? 0)))
      .digest(),
  );

describe('createRangeDigests (each byte hashed once per algorithm)', () => {
  const bytes = new Uint8Array(randomBytes(50_000));
  const ranges: [number, number, number, number][] = [
    [0, 1000, 3000, 2000],
    [0, 9000, 12000, 500],
    [0, 20000, 26000, 24000],
    [0, 0, 10, 0],
  ];

  it('gives the digest of [0, a) + [b, b + c) in file order, out of order, and per algorithm', () => {
    const digests = createRangeDigests(bytes);
    for (const hash of ['sha256', 'sha384']) {
      for (const r of [...ranges, ranges[0] as [number, number, number, number], ranges[2] as [number, number, number, number]]) {
        expect(Buffer.from(digests.of(hash, r)).toString('hex')).toBe(Buffer.from(direct(hash, bytes, r)).toString('hex'));
      }
    }
    expect(Buffer.from(digests.whole('sha256')).toString('hex')).toBe(createHash('sha256').update(bytes).digest('hex'));
    // After the whole file, earlier ranges are hashed directly and still right.
    expect(Buffer.from(digests.of('sha256', ranges[1] as [number, number, number, number])).toString('hex')).toBe(
      Buffer.from(direct('sha256', bytes, ranges[1] as number[])).toString('hex'),
    );
  });

  it('a flipped byte inside a range changes its digest, one in the gap does not', () => {
    const r: [number, number, number, number] = [0, 1000, 3000, 2000];
    const base = Buffer.from(createRangeDigests(bytes).of('sha256', r)).toString('hex');
    const inRange = Uint8Array.from(bytes);
    inRange[4000] = (inRange[4000] as number) ^ 1;
    const inGap = Uint8Array.from(bytes);
    inGap[2000] = (inGap[2000] as number) ^ 1;
    expect(Buffer.from(createRangeDigests(inRange).of('sha256', r)).toString('hex')).not.toBe(base);
    expect(Buffer.from(createRangeDigests(inGap).of('sha256', r)).toString('hex')).toBe(base);
  });
});
