import { describe, expect, it } from 'vitest';
import { turnDocuments } from '../../../shared/envelope/turn-documents.js';

/** A store whose puts land only when the test says so. */
const slowStore = () => {
  const stored = new Map<string, Uint8Array>();
  const pending: { key: string; bytes: Uint8Array; land(): void; fail(e: Error): void }[] = [];
  return {
    stored,
    pending,
    store: {
      put: (key: string, bytes: Uint8Array) =>
        new Promise<void>((resolve, reject) => {
          pending.push({
            key,
            bytes,
            land: () => {
              stored.set(key, bytes);
              resolve();
            },
            fail: reject,
          });
        }),
      putNew: async (key: string, bytes: Uint8Array) => {
        if (stored.has(key)) return false;
        stored.set(key, bytes);
        return true;
      },
      get: async (key: string) => {
        const bytes = stored.get(key);
        if (!bytes) throw new Error(`NoSuchKey ${key}`);
        return bytes;
      },
    },
  };
};

describe('the documents of one turn of signers (turnDocuments)', () => {
  it('a put returns before it lands, the next signer reads its bytes, and flush waits for every put', async () => {
    const s = slowStore();
    const docs = turnDocuments(s.store);
    await docs.put('a/1.pdf', new Uint8Array([1]));
    await docs.put('a/2.pdf', new Uint8Array([2]));
    expect(s.pending).toHaveLength(2);
    expect(await docs.get('a/1.pdf')).toEqual(new Uint8Array([1]));
    let flushed = false;
    const flush = docs.flush().then(() => {
      flushed = true;
    });
    s.pending[0]?.land();
    await Promise.resolve();
    expect(flushed).toBe(false);
    s.pending[1]?.land();
    await flush;
    expect(flushed).toBe(true);
    expect([...s.stored.keys()]).toEqual(['a/1.pdf', 'a/2.pdf']);
  });

  it('reads what it did not write from the store underneath', async () => {
    const s = slowStore();
    s.stored.set('base.pdf', new Uint8Array([9]));
    expect(await turnDocuments(s.store).get('base.pdf')).toEqual(new Uint8Array([9]));
  });

  it('a put that fails fails the flush (the turn does not commit), and is no unhandled rejection before it', async () => {
    const s = slowStore();
    const docs = turnDocuments(s.store);
    await docs.put('a/1.pdf', new Uint8Array([1]));
    s.pending[0]?.fail(new Error('S3 down'));
    await new Promise((r) => setTimeout(r, 0));
    await expect(docs.flush()).rejects.toThrow('S3 down');
  });
});
