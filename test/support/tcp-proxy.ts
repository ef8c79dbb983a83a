import { createServer, type Server, Socket } from 'node:net';

/**
 * A loopback TCP proxy in front of the local AWS endpoint that can be cut: `down()` closes every
 * open connection and refuses new ones (ECONNREFUSED, as a dead endpoint does), `up()` listens
 * again on the same port. For testing what the service answers while AWS is unreachable.
 */
export const startTcpProxy = async (target: string) => {
  const { hostname, port: targetPort } = new URL(target);
  const sockets = new Set<Socket>();
  const handle = (client: Socket) => {
    const upstream = new Socket();
    sockets.add(client).add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    upstream.connect(Number(targetPort), hostname, () => {
      client.pipe(upstream);
      upstream.pipe(client);
    });
  };
  let server: Server = createServer(handle);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    async down() {
      await new Promise<void>((r) => {
        server.close(() => r());
        for (const s of sockets) s.destroy();
        sockets.clear();
      });
    },
    async up() {
      server = createServer(handle);
      await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    },
    close() {
      for (const s of sockets) s.destroy();
      return new Promise<void>((r) => (server.listening ? server.close(() => r()) : r()));
    },
  };
};
