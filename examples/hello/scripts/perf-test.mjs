// Performance smoke test: a bounded burst of keep-alive requests to /healthz over loopback.
// Prints {"requests","rps","p99_ms"} and fails when p99 exceeds the budget or any request failed.
import { Agent, request } from 'node:http';
import { availableParallelism, loadavg } from 'node:os';
import { CheckError, expect, runCheck, startServer, waitHealthy } from './_lib.mjs';

const REQUESTS = 2000;
const WARMUP_REQUESTS = 200;
const CONCURRENCY = 8; // low enough that p99 measures the service, not queueing behind other jobs on a small CI box
const P99_BUDGET_MS = 50;
const ABORT_AFTER_MS = 10_000;

runCheck('perf-test', async () => {
  const server = await startServer();
  await waitHealthy(server.url);
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const latencies = [];
  const failures = [];
  let next = 0;
  let aborted = false;
  const abortTimer = setTimeout(() => {
    aborted = true;
    agent.destroy();
  }, ABORT_AFTER_MS);

  // One GET /healthz; resolves with its status code (the body is drained, not kept).
  const get = () =>
    new Promise((resolve, reject) => {
      const req = request(`${server.url}/healthz`, { agent }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end();
    });

  const worker = async (count, record) => {
    while (!aborted && next < count) {
      next += 1;
      const started = performance.now();
      try {
        const status = await get();
        if (status !== 200) failures.push(`status ${status}`);
        else if (record) latencies.push(performance.now() - started);
      } catch (error) {
        failures.push(error.message);
      }
    }
  };

  // Warm up (JIT, connection pool) without recording, then measure.
  await Promise.all(Array.from({ length: CONCURRENCY }, () => worker(WARMUP_REQUESTS, false)));
  next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, () => worker(REQUESTS, true)));
  const elapsedMs = performance.now() - started;
  clearTimeout(abortTimer);
  agent.destroy();
  const code = await server.stop();

  latencies.sort((a, b) => a - b);
  const at = (q) =>
    latencies[Math.min(latencies.length - 1, Math.ceil(q * latencies.length) - 1)] ?? Number.NaN;
  const round = (n) => Math.round(n * 100) / 100;
  const result = {
    requests: latencies.length + failures.length,
    concurrency: CONCURRENCY,
    rps: Math.round((latencies.length / elapsedMs) * 1000),
    p50_ms: round(at(0.5)),
    p99_ms: round(at(0.99)),
    max_ms: round(latencies.at(-1) ?? Number.NaN),
    failed: failures.length,
  };
  console.log(JSON.stringify(result));

  if (aborted)
    throw new CheckError(
      `aborted after ${ABORT_AFTER_MS} ms with ${result.requests} of ${REQUESTS} requests done`,
    );
  expect(failures.length === 0, `${failures.length} requests failed, first: ${failures[0]}`);
  expect(result.requests === REQUESTS, `${result.requests} requests made, expected ${REQUESTS}`);
  const [load] = loadavg();
  expect(
    result.p99_ms <= P99_BUDGET_MS,
    `p99 ${result.p99_ms} ms is over the ${P99_BUDGET_MS} ms budget (host load average ${load.toFixed(1)} on ${availableParallelism()} CPUs)`,
  );
  expect(code === 0, `server exited with ${code} after SIGTERM, expected 0`);
});
