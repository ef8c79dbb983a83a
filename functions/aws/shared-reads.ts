/**
 * Reads of one item that overlap in this process share one call (issue 14: fifty signers of one
 * envelope arrive at once, and each request read the same envelope and the same tenant — a
 * hundred GetItems behind moto's one lock before the first signer could join the queue).
 *
 * A read joins another only if that one started after every write of the item this process
 * made had finished, and no write of it is under way: its answer then holds everything this
 * process wrote before the joiner started, as a read of its own would (the writers of the
 * envelope and the tenant are their repositories, which report here with `writing`). On Lambda
 * a container serves one request at a time, so there reads rarely overlap; locally (`npm start`,
 * one process for everything) they do. A write from another process that lands while the shared
 * read is on its way may be missed, as it may be by a read that was sent a moment earlier: every
 * state change is still decided by the envelope's conditional write on its version.
 */
let clock = 0;
/** Per item: the read under way, and when (on `clock`) it started. */
const reads = new Map<string, { readonly started: number; readonly result: Promise<unknown> }>();
/** Per item: the last time (on `clock`) a write of it started or ended, kept while a read may still join. */
const lastWrite = new Map<string, number>();
/** Per item: writes under way. */
const writes = new Map<string, number>();

export const sharedRead = <T>(key: string, load: () => Promise<T>): Promise<T> => {
  const under = reads.get(key);
  // A copy each: what one caller does with its item is not another's business.
  if (under && !writes.has(key) && under.started > (lastWrite.get(key) ?? 0)) return under.result.then((v) => structuredClone(v) as T);
  const started = ++clock;
  const result = load().finally(() => {
    if (reads.get(key)?.result !== result) return;
    reads.delete(key);
    if (!writes.has(key)) lastWrite.delete(key);
  });
  reads.set(key, { started, result });
  return result;
};

export const writing = async <T>(key: string, write: () => Promise<T>): Promise<T> => {
  writes.set(key, (writes.get(key) ?? 0) + 1);
  lastWrite.set(key, ++clock);
  try {
    return await write();
  } finally {
    const left = (writes.get(key) ?? 1) - 1;
    if (left > 0) writes.set(key, left);
    else writes.delete(key);
    lastWrite.set(key, ++clock);
    if (left === 0 && !reads.has(key)) lastWrite.delete(key);
  }
};
