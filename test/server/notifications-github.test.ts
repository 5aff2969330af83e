// GitHub notifications from a running server, to a stand-in of the GitHub API that checks every
// request against GitHub's published OpenAPI description: a sync becomes a commit status, a
// deploy a deployment with its status.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type GithubReceiver, startGithubReceiver } from '../notifications/receivers/github-receiver.js';
import { type Harness, startServer, tempProject, waitFor } from './helpers/server-harness.js';

const TOKEN = 'github_pat_for_the_test_0123456789';

describe('GitHub notifications from slipway server', { timeout: 60_000 }, () => {
  let h: Harness;
  let github: GithubReceiver;

  before(async () => {
    github = await startGithubReceiver();
    const project = await tempProject(
      [
        'version: 1',
        'gitops:',
        '  repository: { url: desired }',
        '  notifications:',
        `    github: { baseUrl: '${github.baseUrl}', repository: acme/deploy, token: GITHUB_TOKEN }`,
        '',
      ].join('\n'),
    );
    h = await startServer(project, undefined, {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, GITHUB_TOKEN: TOKEN },
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
  });
  after(async () => {
    await h?.close();
    await github?.close();
  });

  test('a sync is a commit status and a deploy a deployment, each request as GitHub documents it', async () => {
    const sha = 'd'.repeat(40);
    await h.store.appendEvent({
      type: 'gitops.synced',
      actor: 'gitops',
      service: 'web',
      environment: 'prod',
      commitSha: sha,
      data: { revision: 'r-000000000002', commit: sha, subject: 'web v2', author: 'Dev' },
    });
    await h.store.appendEvent({
      type: 'service.deployed',
      actor: 'gitops',
      service: 'web',
      environment: 'prod',
      commitSha: sha,
      data: { revision: 'r-000000000002' },
    });
    await waitFor(
      'both deliveries',
      async () => {
        const deliveries = await h.store.listNotificationDeliveries({ status: 'delivered' });
        return deliveries.length === 2 ? true : undefined;
      },
      20_000,
    );
    assert.deepEqual(github.violations, []);
    const operations = github.operations();
    assert.ok(operations.includes('repos/create-commit-status'), operations.join(', '));
    assert.ok(operations.includes('repos/create-deployment'), operations.join(', '));
    assert.ok(operations.includes('repos/create-deployment-status'), operations.join(', '));
    const paths = github.http.requests.map((r) => r.path);
    assert.ok(paths.includes(`/api/v3/repos/acme/deploy/statuses/${sha}`), paths.join(', '));
    assert.ok(
      github.http.requests.every(
        (r) => r.headers.authorization === `token ${TOKEN}` || r.headers.authorization === `Bearer ${TOKEN}`,
      ),
    );
  });
});
