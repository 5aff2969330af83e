// requiredStages and branches through the real CLI in a real git repository: production deploys
// only from main or release/*, and only once `security` passed on the same commit, in this run or
// in an earlier one (so `run --stage deploy` works after a full run of the commit, not before).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { show } from './helpers/cli.js';
import { finishedJobs, logTextOf } from './helpers/events.js';
import { createProject, type Project } from './helpers/project.js';
import { commitAll, git, initRepo } from './helpers/signed-repo.js';

const RUNNER = { env: { SLIPWAY_ACTOR: 'pipeline-bot' }, timeoutMs: 30_000 };

async function production(project: Project, args: readonly string[] = []) {
  const { result, events } = await project.runJson(['run', ...args], RUNNER);
  const job = finishedJobs(events).get('deploy.production');
  return { result, events, job, log: logTextOf(events, 'deploy.production') };
}

describe('requiredStages and branches', { concurrency: true }, () => {
  test('a required stage counts when it passed on the same commit, in this run or an earlier one', async (t) => {
    const project = createProject(t, 'protection-stages-and-branches.yaml');
    initRepo(project.dir);
    const first = commitAll(project.dir, 'first').slice(0, 7);

    const early = await production(project, ['--stage', 'deploy']);
    assert.equal(early.result.code, 1, show(early.result));
    assert.equal(
      early.job?.message,
      `protection rule 'requiredStages' of production: stage 'security' has not passed on commit ${first}: it was not part of this run, nor in an earlier run of the commit`,
    );

    // The scan fails but may (continueOnError): the deploy stage runs, and its gate sees the failure.
    const failing = await production(project);
    assert.equal(failing.result.code, 1, show(failing.result));
    assert.equal(
      failing.job?.message,
      `protection rule 'requiredStages' of production: stage 'security' has not passed on commit ${first}: job 'scan' ended failure in this run, nor in an earlier run of the commit`,
    );

    project.write('scan-ok', '');
    const full = await production(project);
    assert.equal(full.result.code, 0, show(full.result));
    assert.ok(
      full.log.includes("protection of production: stage 'security' passed in this run"),
      full.log.join('\n'),
    );
    assert.ok(full.log.includes("protection of production: branch 'main' is allowed"), full.log.join('\n'));

    const later = await production(project, ['--stage', 'deploy']);
    assert.equal(later.result.code, 0, show(later.result));
    assert.ok(
      later.log.includes(`protection of production: stage 'security' passed on commit ${first} in run 3`),
      later.log.join('\n'),
    );

    const second = commitAll(project.dir, 'second').slice(0, 7);
    const other = await production(project, ['--stage', 'deploy']);
    assert.equal(other.result.code, 1, show(other.result));
    assert.match(
      other.job?.message ?? '',
      new RegExp(`stage 'security' has not passed on commit ${second}:`),
    );
    assert.equal(project.read('deployed.txt'), 'production main\nproduction main\n');

    const blocked = (await project.events()).filter((e) => e.type === 'protection.blocked');
    assert.deepEqual(
      blocked.map((e) => [e.runId, e.subject, e.data.rule]),
      [
        [1, 'deploy.production', 'requiredStages'],
        [2, 'deploy.production', 'requiredStages'],
        [5, 'deploy.production', 'requiredStages'],
      ],
    );
  });

  test('branches: release/* deploys, feature/* and a detached HEAD are blocked', async (t) => {
    const project = createProject(t, 'protection-stages-and-branches.yaml', { files: { 'scan-ok': '' } });
    initRepo(project.dir);
    commitAll(project.dir, 'first');

    git(project.dir, ['checkout', '-q', '-b', 'feature/login']);
    const feature = await production(project);
    assert.equal(feature.result.code, 1, show(feature.result));
    assert.equal(
      feature.job?.message,
      "protection rule 'branches' of production: branch 'feature/login' is not allowed (allowed: main, release/*)",
    );

    git(project.dir, ['checkout', '-q', '-b', 'release/2.1']);
    const release = await production(project);
    assert.equal(release.result.code, 0, show(release.result));
    assert.equal(project.read('deployed.txt'), 'production release/2.1\n');

    git(project.dir, ['checkout', '-q', '--detach']);
    const detached = await production(project);
    assert.equal(detached.result.code, 1, show(detached.result));
    assert.equal(
      detached.job?.message,
      "protection rule 'branches' of production: the run has no branch (a detached HEAD or no git repository); allowed: main, release/*",
    );
  });
});
