// Local peers for health-check tests: a port nobody listens on, a server that accepts and never answers,
// a server that plays a script on each connection, an HTTP server.
import http from 'node:http';
import net from 'node:net';

/** A running local server and how to stop it. */
export interface Peer {
  readonly port: number;
  close(): Promise<void>;
}

/** A loopback port that was free a moment ago, so connecting to it is refused. */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Accepts connections and reads them, but never writes a byte; counts what is still open. */
export function silentPeer(): Promise<Peer & { readonly openSockets: () => number }> {
  return scriptedPeer((socket) => socket.resume());
}

/** Hands each connection to `play` (which reads and writes as it likes); counts what is still open. */
export async function scriptedPeer(
  play: (socket: net.Socket) => void,
): Promise<Peer & { readonly openSockets: () => number }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    play(socket);
  });
  return listen(
    server,
    () => {
      for (const socket of sockets) socket.destroy();
    },
    () => sockets.size,
  );
}

/** An HTTP server answering with `handler`; open connections are dropped on close. */
export async function httpPeer(handler: http.RequestListener): Promise<Peer> {
  const server = http.createServer(handler);
  return listen(
    server,
    () => server.closeAllConnections(),
    () => 0,
  );
}

async function listen(
  server: net.Server,
  dropConnections: () => void,
  openSockets: () => number,
): Promise<Peer & { readonly openSockets: () => number }> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    port,
    openSockets,
    close: () =>
      new Promise<void>((resolve) => {
        dropConnections();
        server.close(() => resolve());
      }),
  };
}

/** Polls `condition` until it holds or `timeoutMs` passes; returns whether it held. */
export async function eventually(condition: () => boolean, timeoutMs = 1000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return condition();
}
