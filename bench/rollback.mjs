// Under load, deploys a revision that answers 500 once it gets traffic (1 s analysis interval) and
// measures: detect = first bad response -> rollback decision; restore = decision -> 100% on stable.
// The router's error rate is judged between intervals (the fast rule in docs/rollouts.md), so
// detection takes a few tens of milliseconds, not an interval.
import { exampleProject, serviceYaml, steadyLoad, urlOf } from './lib/example-project.mjs';

function yaml(version, broken) {
  return `${serviceYaml(version, broken ? ', APP_BROKEN: "1"' : '')}environments:
  bench:
    strategy:
      canary:
        stages:
          - { traffic: 20, duration: 30s }
          - { traffic: 100 }
        metrics: [error_rate]
    analysis: { interval: 1s, minRequests: 10, failureLimit: 0 }
`;
}

const project = exampleProject();
try {
  project.write(yaml('v1', false));
  const first = await project.run('deploy', 'hello', '--env', 'bench');
  if (first.status !== 0) throw new Error(`first deploy failed:\n${first.stderr}${first.stdout}`);
  const load = steadyLoad(urlOf(first.stdout));
  await new Promise((r) => setTimeout(r, 1000));
  project.write(yaml('v2', true));
  const deploy = await project.run('--json', 'deploy', 'hello', '--env', 'bench');
  await new Promise((r) => setTimeout(r, 500));
  const stats = await load.stop();
  const events = deploy.stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l));
  const finished = events.find((e) => e.type === 'rollout.finished');
  const rollback = events.find((e) => e.type === 'rollout.rollback');
  if (finished?.status !== 'rolled_back' || !rollback)
    throw new Error(`expected a rollback:\n${deploy.stdout}${deploy.stderr}`);
  const decidedAt = Date.parse(rollback.time) - rollback.restoreMs;
  const detectMs = Math.round(decidedAt - stats.firstBadAt);
  process.stderr.write(
    `rolled back: ${finished.reason}; bad responses for ${Math.round(stats.lastBadAt - stats.firstBadAt)} ms\n`,
  );
  console.log(
    JSON.stringify({
      bench: 'rollback',
      detect_ms: detectMs,
      restore_ms: rollback.restoreMs,
      failed_requests: stats.failed,
      requests: stats.requests,
      interval_ms: 1000,
    }),
  );
} finally {
  project.cleanup();
}
