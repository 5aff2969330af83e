// Integration test: starts the compiled server as a child process on a free port, checks every
// route over real HTTP, then sends SIGTERM and expects a clean exit (code 0).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, httpRequest, parseJson, root, runCheck, startServer, waitHealthy } from './_lib.mjs';

const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

/** [method, path, expected status, content type prefix, check of the body]. */
const cases = [
  ['GET', '/', 200, 'text/plain', (body) => body === `Hello from hello ${version}!\n`],
  ['GET', '/healthz', 200, 'application/json', (body) => body.status === 'ok' && body.version === version],
  ['GET', '/api/greet?name=Ada', 200, 'application/json', (body) => body.message === 'Hello, Ada!'],
  ['GET', '/api/greet', 400, 'application/json', (body) => typeof body.error === 'string'],
  [
    'GET',
    `/api/greet?name=${'x'.repeat(65)}`,
    400,
    'application/json',
    (body) => typeof body.error === 'string',
  ],
  ['GET', '/api/slow?ms=20', 200, 'application/json', (body) => body.sleptMs === 20],
  ['GET', '/api/slow?ms=99999', 400, 'application/json', (body) => typeof body.error === 'string'],
  ['GET', '/does-not-exist', 404, 'application/json', (body) => body.error === 'not found'],
  ['DELETE', '/healthz', 405, 'application/json', (body) => typeof body.error === 'string'],
];

runCheck('integration-test', async () => {
  const server = await startServer();
  console.log(`server up at ${server.url}`);
  const health = await waitHealthy(server.url);
  expect(health.version === version, `/healthz reports version ${health.version}, expected ${version}`);

  for (const [method, path, status, type, check] of cases) {
    const res = await httpRequest(`${server.url}${path}`, { method });
    const label = `${method} ${path.length > 40 ? `${path.slice(0, 40)}...` : path}`;
    expect(res.status === status, `${label}: status ${res.status}, expected ${status}: ${res.body}`);
    expect(
      String(res.headers['content-type']).startsWith(type),
      `${label}: content-type ${res.headers['content-type']}, expected ${type}`,
    );
    const body = type === 'application/json' ? parseJson(res, label) : res.body;
    expect(check(body), `${label}: unexpected body ${res.body}`);
    console.log(`  ${label} -> ${res.status}`);
  }

  const code = await server.stop();
  expect(code === 0, `server exited with ${code} after SIGTERM, expected 0:\n${server.output()}`);
  console.log('SIGTERM -> exit 0');
});
