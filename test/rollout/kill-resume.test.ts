/**
 * SIGKILL the controller at every step of a canary in turn, under load: traffic stays where it
 * was, `deploy --resume` continues from the stored step, and no request fails.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { fixtureConfig, steadyLoad, testProject, urlOf } from './helpers.js';

const CONFIG = fixtureConfig({
  version: 'v0',
  strategy: `      canary:
        stages:
          - { traffic: 20, duration: 700ms }
          - { traffic: 50, duration: 700ms }
          - { traffic: 100 }
        metrics: [error_rate]`,
});

test('killing the controller at each step of a canary: every rollout converges after resume, zero failed requests', {
  timeout: 300_000,
}, async () => {
  const project = testProject(CONFIG);
  after(() => project.cleanup());
  const first = project.cli('deploy', 'web', '--env', 'prod');
  assert.equal(first.status, 0, first.stderr + first.stdout);
  const url = urlOf(first.stdout);
  const load = steadyLoad(url);
  let killedAt = 0;
  for (let step = 0; step < 10; step++) {
    const version = `v${step + 1}`;
    project.edit(/VERSION: v\d+/, `VERSION: ${version}`);
    const deploy = project.start('--json', 'deploy', 'web', '--env', 'prod');
    let finishedFirst = false;
    await new Promise<void>((resolve) => {
      let buffer = '';
      deploy.child.stdout?.on('data', (chunk: Buffer) => {
        buffer += chunk.toString();
        for (const line of buffer.split('\n').filter((l) => l.startsWith('{'))) {
          const event = JSON.parse(line) as { type: string; step?: number };
          if (event.type === 'rollout.step' && event.step === step) {
            deploy.child.kill('SIGKILL');
            resolve();
            return;
          }
          if (event.type === 'rollout.finished') {
            finishedFirst = true;
            resolve();
            return;
          }
        }
      });
      deploy.child.on('close', () => resolve());
    });
    await deploy.done;
    if (finishedFirst) break;
    killedAt = step;
    const resumed = await project.run('deploy', 'web', '--env', 'prod', '--resume');
    assert.equal(resumed.status, 0, `after a kill at step ${step}: ${resumed.stderr}${resumed.stdout}`);
    assert.match(resumed.stdout, /rollout completed/);
    const body = await (await fetch(`${url}/`)).text();
    assert.match(
      body,
      new RegExp(`^hello ${version} `),
      `serving ${version} after resuming from step ${step}`,
    );
  }
  const seen = await load.stop();
  assert.ok(killedAt >= 3, `killed at steps 0..${killedAt}`);
  assert.equal(seen.failed, 0, `failed requests: ${seen.errors.join('; ')}`);
  assert.ok(seen.ok > 100, `served ${seen.ok}`);
});
