import { describe, expect, it } from 'vitest';
import { cacheRevisions } from '../../../shared/envelope/document-cache.js';
import type { DocumentStore } from '../../../shared/envelope/ports.js';
import { sha256Hex, sha256StateOf } from '../../../shared/util/bytes.js';

const counting = () => {
  const objects = new Map<string, Uint8Array>();
  let gets = 0;
  const store: DocumentStore = {
    put: async (k, b) => {
      objects.set(k, b);
    },
    putNew: async (k, b) => {
      if (objects.has(k)) return false;
      objects.set(k, b);
      return true;
    },
    get: async (k) => {
      gets++;
      const b = objects.get(k);
      if (!b) throw new Error('NoSuchKey');
      return b;
    },
  };
  return { store, objects, gets: () => gets };
};

const revision = (text: string) => {
  const bytes = new TextEncoder().encode(text);
  return { bytes, key: `tenants/t/envelopes/e/d/${sha256Hex(bytes)}.pdf` };
};

describe('cacheRevisions', () => {
  it('serves a revision it stored from memory, and one it read once', async () => {
    const inner = counting();
    const docs = cacheRevisions(inner.store);
    const a = revision('%PDF-1.7 a');
    await docs.put(a.key, a.bytes);
    expect(await docs.get(a.key)).toEqual(a.bytes);
    expect(inner.gets()).toBe(0);
    const b = revision('%PDF-1.7 b');
    await inner.store.put(b.key, b.bytes);
    await docs.get(b.key);
    await docs.get(b.key);
    expect(inner.gets()).toBe(1);
  });

  it('never keeps a key whose name is not the hash of its bytes (it could change under the same name)', async () => {
    const inner = counting();
    const docs = cacheRevisions(inner.store);
    const key = 'tenants/t/envelopes/e/certificate.pdf';
    await docs.put(key, new TextEncoder().encode('one'));
    await inner.store.put(key, new TextEncoder().encode('two'));
    expect(new TextDecoder().decode(await docs.get(key))).toBe('two');
    const lying = `tenants/t/envelopes/e/d/${sha256Hex(new TextEncoder().encode('other'))}.pdf`;
    await docs.put(lying, new TextEncoder().encode('not other'));
    await docs.get(lying);
    expect(inner.gets()).toBe(2);
  });

  it('hashes a revision it reads once, keeping the state for the revision appended to it (not for bytes it did not check)', async () => {
    const inner = counting();
    const docs = cacheRevisions(inner.store);
    const a = revision('%PDF-1.7 fetched');
    await inner.store.put(a.key, a.bytes);
    const got = await docs.get(a.key);
    expect(sha256StateOf(got)?.digest('hex')).toBe(a.key.slice(-68, -4));
    const plain = 'tenants/t/envelopes/e/certificate.pdf';
    await inner.store.put(plain, new TextEncoder().encode('not named by its hash'));
    expect(sha256StateOf(await docs.get(plain))).toBeUndefined();
    // Bytes whose name lies are not kept; the state recorded is still that of their own bytes.
    const lying = `tenants/t/envelopes/e/d/${sha256Hex(new TextEncoder().encode('other'))}.pdf`;
    await inner.store.put(lying, new TextEncoder().encode('not other'));
    const liar = await docs.get(lying);
    expect(sha256StateOf(liar)?.digest('hex')).toBe(sha256Hex(new TextEncoder().encode('not other')));
  });

  it('drops the least recently used revisions beyond its size', async () => {
    const inner = counting();
    const docs = cacheRevisions(inner.store, 40);
    const revs = ['%PDF a', '%PDF b', '%PDF c', '%PDF d', '%PDF e', '%PDF f', '%PDF g', '%PDF h'].map(revision);
    for (const r of revs) await docs.put(r.key, r.bytes);
    await docs.get(revs[7]?.key as string);
    expect(inner.gets()).toBe(0);
    await docs.get(revs[0]?.key as string);
    expect(inner.gets()).toBe(1);
  });
});
