/** Starts the hello service on HOST:PORT and shuts it down gracefully on SIGTERM or SIGINT. */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp, resolveVersion } from './app.js';

const SHUTDOWN_GRACE_MS = 10_000;

const host = process.env.HOST || '127.0.0.1';
const port = Number(process.env.PORT || 3000);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`invalid PORT: ${process.env.PORT}`);
  process.exit(1);
}

const version = resolveVersion(process.env, () =>
  readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
);
let closing = false;
const server = createServer(
  createApp({ version, isClosing: () => closing, broken: process.env.APP_BROKEN === '1' }),
);

server.on('error', (error) => {
  console.error(`server error: ${error.message}`);
  process.exit(1);
});

server.listen(port, host, () => {
  const { address, family, port: bound } = server.address() as AddressInfo;
  const shownHost = family === 'IPv6' ? `[${address}]` : address;
  console.log(`hello ${version} listening on http://${shownHost}:${bound}`);
});

function shutdown(signal: string): void {
  if (closing) return;
  closing = true;
  console.log(`${signal} received: no longer accepting connections, finishing in-flight requests`);
  // Stop accepting; the callback runs once every connection has ended. In-flight responses
  // carry `connection: close` (see isClosing), idle keep-alive connections are dropped now.
  server.close((error) => {
    if (error) {
      console.error(`shutdown failed: ${error.message}`);
      process.exit(1);
    }
    console.log('shut down cleanly');
    process.exit(0);
  });
  server.closeIdleConnections();
  setTimeout(() => {
    console.error(`shutdown still waiting after ${SHUTDOWN_GRACE_MS} ms: forcing exit`);
    process.exit(1);
  }, SHUTDOWN_GRACE_MS).unref();
}

process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
