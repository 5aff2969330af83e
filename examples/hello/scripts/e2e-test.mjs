// End-to-end test: a user flow against the compiled server, then a graceful shutdown with a
// slow request in flight: SIGTERM must stop new connections, let the slow request finish, exit 0.
import { Agent } from 'node:http';
import { CheckError, expect, httpRequest, parseJson, runCheck, startServer, waitHealthy } from './_lib.mjs';

const SLOW_MS = 600;

runCheck('e2e-test', async () => {
  const server = await startServer();
  await waitHealthy(server.url);
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });

  // 1. The user flow, over one keep-alive connection as a browser would.
  const home = await httpRequest(`${server.url}/`, { agent });
  expect(
    home.status === 200 && home.body.startsWith('Hello from hello'),
    `GET / -> ${home.status} ${home.body}`,
  );
  console.log(`  GET / -> ${home.status} ${JSON.stringify(home.body.trim())}`);

  const greet = await httpRequest(`${server.url}/api/greet?name=Ada`, { agent });
  const greeting = parseJson(greet, 'GET /api/greet?name=Ada');
  expect(
    greet.status === 200 && greeting.message === 'Hello, Ada!',
    `GET /api/greet?name=Ada -> ${greet.status} ${greet.body}`,
  );
  console.log(`  GET /api/greet?name=Ada -> ${greet.status} ${greet.body}`);

  const missing = await httpRequest(`${server.url}/no-such-page`, { agent });
  expect(missing.status === 404, `GET /no-such-page -> ${missing.status}, expected 404`);
  console.log(`  GET /no-such-page -> ${missing.status}`);

  // 2. Graceful shutdown: a slow request is in flight on a keep-alive connection when SIGTERM arrives.
  // With `expect: 100-continue`, Node's server answers `100 Continue` as it hands the request to the
  // handler, so once the client sees it the request is certainly in flight (no guessing with sleeps).
  let markInFlight;
  const inFlight = new Promise((resolve) => {
    markInFlight = resolve;
  });
  let slowDone = false;
  const slow = httpRequest(`${server.url}/api/slow?ms=${SLOW_MS}`, {
    agent,
    headers: { expect: '100-continue' },
    onContinue: markInFlight,
    timeoutMs: SLOW_MS + 3000,
  }).then(
    (res) => {
      slowDone = true;
      return res;
    },
    (error) => {
      slowDone = true;
      throw new CheckError(`the in-flight request failed during shutdown: ${error.message}`);
    },
  );
  slow.catch(() => {}); // awaited below; don't let an early failure crash the process first
  await Promise.race([inFlight, slow]);
  const sigtermAt = performance.now();
  const stopped = server.stop();

  // While the slow request is still running, new connections must be refused.
  let refused = 'not tried';
  while (!slowDone) {
    refused = await httpRequest(`${server.url}/healthz`, { agent: false, timeoutMs: 1000 }).then(
      (res) => `answered ${res.status}`,
      (error) => error.code ?? error.message,
    );
    if (refused === 'ECONNREFUSED') break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  expect(
    refused === 'ECONNREFUSED',
    `new connections were still accepted while the in-flight request ran (last: ${refused})`,
  );
  console.log('  new connection after SIGTERM -> ECONNREFUSED');

  const slowRes = await slow;
  const slept = parseJson(slowRes, 'GET /api/slow');
  expect(
    slowRes.status === 200 && slept.sleptMs === SLOW_MS,
    `in-flight request got ${slowRes.status} ${slowRes.body}`,
  );
  expect(slowRes.headers.connection === 'close', `in-flight response did not close its connection`);
  console.log(`  in-flight GET /api/slow?ms=${SLOW_MS} -> ${slowRes.status} after SIGTERM`);

  const code = await stopped;
  const shutdownMs = Math.round(performance.now() - sigtermAt);
  expect(code === 0, `server exited with ${code} after SIGTERM, expected 0:\n${server.output()}`);
  expect(
    shutdownMs < SLOW_MS + 2500,
    `shutdown took ${shutdownMs} ms: an idle keep-alive connection held the server up`,
  );
  console.log(`  exit 0, ${shutdownMs} ms after SIGTERM`);
  agent.destroy();
});
