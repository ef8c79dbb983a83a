import { sha256Hex, sha256HexOfFetched } from '../util/bytes.js';
import type { DocumentStore } from './ports.js';

/** `…/<sha256>.pdf`: a revision's key names the SHA-256 of its bytes (documentKey in create-envelope.ts). */
const CONTENT_ADDRESSED = /\/([0-9a-f]{64})\.pdf$/;

/**
 * Keeps recent revisions in memory (up to `maxBytes`, least recently used out first), so the
 * next signer of an envelope builds on the revision the previous one just stored without
 * fetching it from S3 again — one round trip less while holding the revision lease. Only
 * content-addressed keys whose bytes match their name are kept: such an entry can never be
 * stale (new bytes get a new key), so the cache needs no invalidation.
 */
export const cacheRevisions = (store: DocumentStore, maxBytes = 64 * 1024 * 1024): DocumentStore => {
  const cache = new Map<string, Uint8Array>();
  let size = 0;
  // `fetched`: bytes read from the store, hashed so that their signing takes the state up (sha256HexOfFetched).
  const keep = (key: string, bytes: Uint8Array, fetched = false) => {
    const named = CONTENT_ADDRESSED.exec(key)?.[1];
    if (bytes.length > maxBytes / 4 || !named || cache.has(key)) return;
    if (named !== (fetched ? sha256HexOfFetched(bytes) : sha256Hex(bytes))) return;
    cache.set(key, bytes);
    size += bytes.length;
    for (const [k, v] of cache) {
      if (size <= maxBytes) break;
      cache.delete(k);
      size -= v.length;
    }
  };
  return {
    async put(key, bytes) {
      await store.put(key, bytes);
      keep(key, bytes);
    },
    async putNew(key, bytes) {
      const written = await store.putNew(key, bytes);
      if (written) keep(key, bytes);
      return written;
    },
    async get(key) {
      const hit = cache.get(key);
      if (hit) {
        // Most recently used last.
        cache.delete(key);
        cache.set(key, hit);
        return hit;
      }
      const bytes = await store.get(key);
      keep(key, bytes, true);
      return bytes;
    },
  };
};
