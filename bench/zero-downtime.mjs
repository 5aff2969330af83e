// Under continuous load through the router, 30 deploys of the example app (10 each of blue-green,
// canary and rolling); prints one JSON line with the requests served and failed.
import { exampleProject, serviceYaml, steadyLoad, urlOf } from './lib/example-project.mjs';

const STRATEGIES = {
  blueGreen: 'blueGreen: { switchover: instant, scaleDownDelay: 300ms }',
  canary: `canary:
        stages:
          - { traffic: 20, duration: 400ms }
          - { traffic: 50, duration: 400ms }
          - { traffic: 100 }
        metrics: [error_rate]`,
  rolling: 'rolling: { batchSize: 1, maxSurge: 1, maxUnavailable: 0 }',
};
const ORDER = ['blueGreen', 'canary', 'rolling'];
const DEPLOYS = 30;

function yaml(version, strategy) {
  return `${serviceYaml(version)}environments:
  bench:
    strategy:
      ${STRATEGIES[strategy]}
    analysis: { interval: 200ms, minRequests: 5, failureLimit: 0, inconclusiveLimit: 1000 }
`;
}

const project = exampleProject();
try {
  project.write(yaml('v0', 'rolling'));
  const first = await project.run('deploy', 'hello', '--env', 'bench');
  if (first.status !== 0) throw new Error(`first deploy failed:\n${first.stderr}${first.stdout}`);
  const load = steadyLoad(urlOf(first.stdout));
  const started = performance.now();
  for (let i = 1; i <= DEPLOYS; i++) {
    const strategy = ORDER[(i - 1) % ORDER.length];
    project.write(yaml(`v${i}`, strategy));
    const deploy = await project.run('deploy', 'hello', '--env', 'bench');
    if (deploy.status !== 0)
      throw new Error(`deploy ${i} (${strategy}) failed:\n${deploy.stderr}${deploy.stdout}`);
    process.stderr.write(
      `deploy ${i}/${DEPLOYS} ${strategy}: ok (${load.stats.requests} requests, ${load.stats.failed} failed)\n`,
    );
  }
  const stats = await load.stop();
  if (stats.errors.length) process.stderr.write(`first failures: ${stats.errors.join('; ')}\n`);
  console.log(
    JSON.stringify({
      bench: 'zero-downtime',
      deploys: DEPLOYS,
      requests: stats.requests,
      failed: stats.failed,
      seconds: Math.round((performance.now() - started) / 100) / 10,
    }),
  );
} finally {
  project.cleanup();
}
