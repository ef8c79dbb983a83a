import { createServer, type Server, Socket } from 'node:net';

/**
 * A loopback TCP proxy in front of the local AWS endpoint that can be cut: `down()` closes every
 * open connection and refuses new ones (ECONNREFUSED, as a dead endpoint does); `hang()` closes
 * them and then accepts new ones but never answers nor closes them (an endpoint that stopped
 * responding: only the client's own timeouts end a call); `up()` proxies again on the same port.
 * For testing what the service answers while AWS is unreachable.
 */
export const startTcpProxy = async (target: string) => {
  const { hostname, port: targetPort } = new URL(target);
  const sockets = new Set<Socket>();
  let hanging = false;
  const handle = (client: Socket) => {
    if (hanging) {
      // Read and drop whatever is sent; answer nothing.
      sockets.add(client);
      client.on('data', () => undefined).on('error', () => sockets.delete(client));
      return;
    }
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
    hang() {
      hanging = true;
      for (const s of sockets) s.destroy();
      sockets.clear();
    },
    async up() {
      if (hanging) {
        hanging = false;
        for (const s of sockets) s.destroy();
        sockets.clear();
      }
      if (server.listening) return;
      server = createServer(handle);
      await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    },
    close() {
      for (const s of sockets) s.destroy();
      return new Promise<void>((r) => (server.listening ? server.close(() => r()) : r()));
    },
  };
};
