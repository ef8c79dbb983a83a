import type { DocumentStore } from './ports.js';

/**
 * The document store as one turn of signers sees it (commit-signer-revision.ts). Each signer's
 * revision is built on the one before it, so the builds form a chain; storing a revision is
 * not part of that chain. A `put` is therefore sent at once and not awaited: the next signer
 * reads the bytes from here, and `flush` awaits every put before the turn commits — the
 * envelope never names a revision that is not stored (content-addressed keys, so a put that
 * lands for a turn that then fails names nothing and harms nothing).
 */
export const turnDocuments = (store: DocumentStore): DocumentStore & { flush(): Promise<void> } => {
  const written = new Map<string, Uint8Array>();
  const puts: Promise<void>[] = [];
  return {
    async get(key) {
      return written.get(key) ?? store.get(key);
    },
    async put(key, bytes) {
      written.set(key, bytes);
      const put = store.put(key, bytes);
      // Awaited by flush; until then a failure must not be an unhandled rejection.
      put.catch(() => undefined);
      puts.push(put);
    },
    async putNew(key, bytes) {
      // Not part of a turn's chain of revisions: sent and awaited at once.
      const stored = await store.putNew(key, bytes);
      if (stored) written.set(key, bytes);
      return stored;
    },
    async flush() {
      await Promise.all(puts);
    },
  };
};
