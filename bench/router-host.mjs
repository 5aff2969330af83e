// Hosts one Slipway Router in its own process for bench/router.mjs.
// Usage: node bench/router-host.mjs <port> <host:port>[,<host:port>...]
// Prints {"port":N} on stdout once listening; closes on SIGTERM/SIGINT.
import { Router } from '../dist/router/router.js';

const [portArg = '0', backendsArg = ''] = process.argv.slice(2);
const instances = backendsArg
  .split(',')
  .filter(Boolean)
  .map((address, i) => {
    const [host, port] = address.split(':');
    return { id: `i${i + 1}`, host, port: Number(port), ready: true };
  });
if (instances.length === 0) {
  process.stderr.write('usage: router-host.mjs <port> <host:port>[,...]\n');
  process.exit(2);
}

const router = new Router({ port: Number(portArg) });
router.setTable({ sticky: false, revisions: [{ id: 'r-bench', role: 'stable', weight: 100, instances }] });
const port = await router.listen();
process.stdout.write(`${JSON.stringify({ port })}\n`);

const stop = () => router.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
