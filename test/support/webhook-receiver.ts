import { createServer, type IncomingMessage, type Server } from 'node:http';

export interface ReceivedWebhook {
  readonly at: number;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
  /** What the receiver answered: an HTTP status, or 'dropped' (socket destroyed, no response). */
  readonly answer: number | 'dropped';
}

/** How to answer the n-th attempt (1-based) of one delivery id. */
export type Behaviour = (attempt: number, deliveryId: string) => number | 'drop';

/**
 * A tenant's webhook endpoint for tests, on 127.0.0.1: records every request and answers as
 * `behaviour` says (e.g. down for the first attempts, then up).
 */
export const startWebhookReceiver = async (initial: Behaviour) => {
  let behaviour = initial;
  const received: ReceivedWebhook[] = [];
  const attempts = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const id = String(req.headers['kyso-delivery'] ?? '');
      const n = (attempts.get(id) ?? 0) + 1;
      attempts.set(id, n);
      const answer = behaviour(n, id);
      const body = Buffer.concat(chunks).toString('utf8');
      received.push({ at: Date.now(), headers: req.headers, body, answer: answer === 'drop' ? 'dropped' : answer });
      if (answer === 'drop') {
        req.socket.destroy();
        return;
      }
      res.writeHead(answer, { 'content-type': 'text/plain' }).end(answer < 300 ? 'ok' : 'down');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}/hooks/kyso`,
    received,
    /** Requests that were answered 2xx. */
    accepted: () => received.filter((r) => typeof r.answer === 'number' && r.answer < 300),
    setBehaviour(b: Behaviour) {
      behaviour = b;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
};

/** Polls `check` until it returns a value (not undefined/false) or the time is up. */
export const waitFor = async <T>(check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 60_000): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 250));
  }
};
