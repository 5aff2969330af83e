// The floor of bench:api: a minimal `node:http` server on loopback that answers every request with
// the same small JSON body (FLOOR_BODY_BYTES long, about the size of a status answer). It prints
// `listening on http://127.0.0.1:<port>` once it listens and exits on SIGTERM.
import { createServer } from 'node:http';

const bytes = Math.max(64, Math.min(65_536, Number(process.env.FLOOR_BODY_BYTES) || 512));
const shell = JSON.stringify({ service: 'hello', environment: 'bench', status: 'healthy', pad: '' });
const body = Buffer.from(
  JSON.stringify({
    service: 'hello',
    environment: 'bench',
    status: 'healthy',
    pad: 'x'.repeat(Math.max(0, bytes - shell.length)),
  }),
);
const headers = { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length };

const server = createServer((req, res) => {
  req.resume();
  res.writeHead(200, headers);
  res.end(body);
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`floor listening on http://127.0.0.1:${server.address().port}\n`);
});
process.once('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
