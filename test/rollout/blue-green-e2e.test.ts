/**
 * Blue-green end to end, through the CLI and a real agent: a revision that passes its readiness
 * checks but answers every request with 500 gets all the traffic, fails the post-promotion
 * analysis, and traffic flips back to the warm old side under steady load. Each response is
 * attributed by its X-Slipway-Revision header and the fixture app's own body, so the only failed
 * requests allowed are the ones the bad revision itself answered.
 */
import assert from 'node:assert/strict';
import { Agent, request } from 'node:http';
import { after, test } from 'node:test';
import { fixtureConfig, ndjson, testProject, urlOf } from './helpers.js';

/** One response (or transport error) as the load saw it. */
interface Seen {
  readonly at: number;
  readonly status: number;
  readonly revision: string;
  readonly body: string;
  readonly error?: string;
}

/** Keep-alive GET / from `clients` loops until stopped, `maxMs` passed or `maxRequests` were sent. */
function revisionLoad(url: string, clients = 4, maxMs = 120_000, maxRequests = 400_000) {
  const { hostname, port } = new URL(url);
  const agent = new Agent({ keepAlive: true, maxSockets: clients });
  const seen: Seen[] = [];
  const deadline = Date.now() + maxMs;
  let running = true;
  const once = () =>
    new Promise<void>((resolve) => {
      const fail = (error: Error) => {
        seen.push({ at: Date.now(), status: 0, revision: '', body: '', error: error.message });
        resolve();
      };
      const req = request({ host: hostname, port, path: '/', agent }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
        });
        res.on('end', () => {
          const revision = res.headers['x-slipway-revision'];
          seen.push({
            at: Date.now(),
            status: res.statusCode ?? 0,
            revision: typeof revision === 'string' ? revision : '',
            body,
          });
          resolve();
        });
        res.on('error', fail);
      });
      req.on('error', fail);
      req.setTimeout(10_000, () => req.destroy(new Error('client timeout')));
      req.end();
    });
  const loops = Array.from({ length: clients }, async () => {
    while (running && Date.now() < deadline && seen.length < maxRequests) {
      await once();
      await new Promise((r) => setTimeout(r, 2));
    }
  });
  return {
    seen,
    stop: async () => {
      running = false;
      await Promise.all(loops);
      agent.destroy();
      return seen;
    },
  };
}

const describeSeen = (list: readonly Seen[]) =>
  JSON.stringify(
    list
      .slice(0, 5)
      .map((s) => ({ status: s.status, revision: s.revision, body: s.body.trim(), error: s.error })),
  );

test('blue-green: a failed post-promotion analysis flips traffic back under load; only the bad revision failed requests', {
  timeout: 240_000,
}, async () => {
  const project = testProject(
    fixtureConfig({
      strategy: `      blueGreen: { switchover: instant, scaleDownDelay: 5s, metrics: [error_rate] }`,
    }),
  );
  after(() => project.cleanup());
  const first = project.cli('deploy', 'web', '--env', 'prod');
  assert.equal(first.status, 0, first.stderr + first.stdout);
  const url = urlOf(first.stdout);
  const before = JSON.parse(project.cli('--json', 'status', 'web', '--env', 'prod').stdout) as {
    revisions: { id: string; weight: number }[];
  };
  const blue = before.revisions.find((r) => r.weight === 100)?.id;
  assert.ok(blue, `a revision with all the traffic: ${JSON.stringify(before.revisions)}`);

  const load = revisionLoad(url);
  await new Promise((r) => setTimeout(r, 300));
  project.edit('VERSION: v1 }', 'VERSION: v2, MODE: error }');
  const deploy = await project.run('--json', 'deploy', 'web', '--env', 'prod');
  const settledAt = Date.now();
  await new Promise((r) => setTimeout(r, 700));
  const seen = await load.stop();

  assert.equal(deploy.status, 1, deploy.stderr + deploy.stdout);
  const events = ndjson(deploy.stdout);
  const finished = events.find((e) => e.type === 'rollout.finished');
  assert.equal(finished?.status, 'rolled_back', JSON.stringify(finished));
  assert.match(String(finished?.reason), /error_rate 100% > 1%/);
  const green = String(finished?.revision);
  assert.notEqual(green, blue);
  // The verdict came after the switch: the promote step (all traffic on green) was reached first.
  const steps = events.filter((e) => e.type === 'rollout.step');
  const promote = steps.find((e) => e.action === 'promote');
  assert.ok(promote, `a promote step: ${JSON.stringify(steps)}`);
  assert.equal((promote.weights as Record<string, number>)[green], 100, JSON.stringify(steps));
  assert.ok(
    events.indexOf(promote) < events.findIndex((e) => e.type === 'rollout.rollback'),
    'the rollback followed the promotion',
  );
  assert.ok(!steps.some((e) => e.action === 'scaleDown'), 'the old side was never scaled down');
  const rollback = events.find((e) => e.type === 'rollout.rollback');
  assert.ok(Number(rollback?.restoreMs) < 100, `one flip to the warm old side: ${rollback?.restoreMs} ms`);

  // Every response is accounted for: green's 500s, and blue's 200s; nothing else.
  const fromGreen = seen.filter((s) => s.revision === green);
  const fromBlue = seen.filter((s) => s.revision === blue);
  const other = seen.filter((s) => s.revision !== green && s.revision !== blue);
  assert.deepEqual(other, [], `responses from no known revision: ${describeSeen(other)}`);
  const blueFailed = fromBlue.filter((s) => s.status !== 200 || !s.body.startsWith('hello v1 '));
  assert.deepEqual(blueFailed, [], `blue failed: ${describeSeen(blueFailed)}`);
  assert.ok(fromGreen.length > 0, 'green answered some requests after the switch');
  assert.ok(
    fromGreen.every((s) => s.status === 500 && s.body.startsWith('broken v2')),
    `green answered with its own marker: ${describeSeen(fromGreen)}`,
  );
  const failed = seen.filter((s) => s.status !== 200);
  assert.equal(failed.length, fromGreen.length, 'no failed request beyond those green answered');

  // Traffic went back quickly, stayed back, and the service reports blue.
  const firstBad = Math.min(...fromGreen.map((s) => s.at));
  const lastBad = Math.max(...fromGreen.map((s) => s.at));
  assert.ok(lastBad - firstBad < 2000, `green served for ${lastBad - firstBad} ms`);
  const afterward = seen.filter((s) => s.at > settledAt);
  assert.ok(afterward.length > 20, `load went on after the rollback: ${afterward.length}`);
  assert.ok(
    afterward.every((s) => s.revision === blue && s.status === 200),
    'only blue serves after the rollback',
  );
  assert.ok(fromBlue.filter((s) => s.at < firstBad).length > 20, 'blue served before the switch');
  assert.ok(fromBlue.filter((s) => s.at > lastBad).length > 20, 'blue served after the flip back');
  const status = JSON.parse(project.cli('--json', 'status', 'web', '--env', 'prod').stdout) as {
    revisions: { id: string; weight: number; desired: number; role: string | null }[];
    rollout: { phase: string; strategy: string };
  };
  assert.equal(status.rollout.phase, 'rolled_back');
  assert.equal(status.rollout.strategy, 'blueGreen');
  const weights = Object.fromEntries(status.revisions.map((r) => [r.id, r.weight]));
  assert.equal(weights[blue], 100, JSON.stringify(status.revisions));
  assert.equal(weights[green] ?? 0, 0, JSON.stringify(status.revisions));
  assert.equal(status.revisions.find((r) => r.id === green)?.desired ?? 0, 0, 'green was stopped');
});
