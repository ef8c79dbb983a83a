import type { DocumentStore } from '../envelope/ports.js';
import { sha256Hex } from '../util/bytes.js';
import type { DocumentHashIndex } from './ports.js';

/** The key layout of documentKey() in envelope/create-envelope.ts. */
const KEY = /^tenants\/([^/]+)\/envelopes\/([^/]+)\/([^/]+)\/[0-9a-f]{64}\.pdf$/;

/**
 * Wraps a DocumentStore so that every revision stored under an envelope also registers its
 * SHA-256 in the index: whichever use case stores a revision (upload, signature, completion),
 * a later verification of those exact bytes can find the envelope.
 */
export const registerDocumentHashes = (store: DocumentStore, index: DocumentHashIndex): DocumentStore => ({
  async put(key, bytes) {
    const m = KEY.exec(key);
    // Both at once (a signer stores its revision while holding the envelope's revision lease): an
    // index entry a moment ahead of its object only makes a verification find the envelope early.
    await Promise.all([
      store.put(key, bytes),
      m?.[1] && m[2] && m[3] ? index.register(sha256Hex(bytes), { tenantId: m[1], envelopeId: m[2], documentId: m[3] }) : undefined,
    ]);
  },
  async putNew(key, bytes) {
    const written = await store.putNew(key, bytes);
    const m = KEY.exec(key);
    if (written && m?.[1] && m[2] && m[3]) await index.register(sha256Hex(bytes), { tenantId: m[1], envelopeId: m[2], documentId: m[3] });
    return written;
  },
  get: (key) => store.get(key),
});
