/**
 * The GitHub channel against a stand-in for the REST API that checks every request against GitHub's
 * OpenAPI description: the contract suite, then the exact sequence of calls for pipeline and deploy
 * triggers, and GitHub's rate-limit answers.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { GithubChannel } from '../../src/notifications/github-channel.js';
import {
  assertNoSecret,
  type ChannelHarness,
  closedPort,
  describeChannelContract,
  rejection,
} from './channel-contract.js';
import { DEPLOY_COMPLETED, PIPELINE_FAILED } from './notification-fixtures.js';
import { type GithubReceiver, startGithubReceiver } from './receivers/github-receiver.js';

const TOKEN = 'ghp_TestToken0123456789abcdefABCDEF0123';
const NOW = Date.UTC(2026, 2, 14, 10, 0, 0);
const deps = { now: () => NOW };

async function startHarness(): Promise<ChannelHarness> {
  const github = await startGithubReceiver();
  return {
    channel: new GithubChannel({ baseUrl: github.baseUrl, token: TOKEN, timeoutMs: 5_000 }, deps),
    secrets: [TOKEN],
    deliveredKeys: async () =>
      github.http.requests
        .filter((request) => request.status === 201 && /\/deployments$/.test(request.path))
        .map(
          (request) =>
            (JSON.parse(request.body.toString('utf8')) as { payload: { slipway_idempotency_key: string } })
              .payload.slipway_idempotency_key,
        ),
    failNext: (failure) =>
      github.http.respondNext(
        failure === 'transient'
          ? { status: 502, body: '{"message":"Server Error"}' }
          : { status: 404, headers: { 'content-type': 'application/json' }, body: '{"message":"Not Found"}' },
      ),
    unreachableChannel: async () =>
      new GithubChannel(
        { baseUrl: `http://127.0.0.1:${await closedPort()}/api/v3`, token: TOKEN, timeoutMs: 5_000 },
        deps,
      ),
    close: () => github.close(),
  };
}

describeChannelContract('github', startHarness, DEPLOY_COMPLETED);

describe('github channel', () => {
  let github: GithubReceiver;
  let channel: GithubChannel;
  before(async () => {
    github = await startGithubReceiver(5_550_001);
    channel = new GithubChannel({ baseUrl: github.baseUrl, token: TOKEN, timeoutMs: 5_000 }, deps);
  });
  after(async () => {
    await github?.close();
  });

  it('reports a failed pipeline as one commit status the OpenAPI description accepts', async () => {
    const start = github.http.requests.length;
    await channel.send(PIPELINE_FAILED, 'pipeline-0002/github-1');
    assert.deepEqual(github.violations, []);
    assert.deepEqual(github.operations().slice(start), ['repos/create-commit-status']);
    const request = github.http.requests[start]!;
    assert.equal(request.path, `/api/v3/repos/acme/shop/statuses/${PIPELINE_FAILED.commitSha}`);
    assert.equal(request.headers.authorization, `token ${TOKEN}`);
    assert.deepEqual(JSON.parse(request.body.toString('utf8')), {
      state: 'failure',
      context: 'slipway/ci',
      description: 'Pipeline ci failed at stage test',
      target_url: 'https://slipway.example.com/runs/43',
    });
  });

  it('reports a deploy as a deployment, then its status on the id GitHub gave', async () => {
    const start = github.http.requests.length;
    await channel.send(DEPLOY_COMPLETED, 'deploy-0001/github-1');
    assert.deepEqual(github.violations, []);
    assert.deepEqual(github.operations().slice(start), [
      'repos/list-deployments',
      'repos/create-deployment',
      'repos/create-deployment-status',
    ]);
    const [list, create, status] = github.http.requests.slice(start);
    assert.equal(
      list!.path,
      `/api/v3/repos/acme/shop/deployments?sha=${DEPLOY_COMPLETED.commitSha}&environment=production&per_page=100`,
    );
    assert.equal(create!.path, '/api/v3/repos/acme/shop/deployments');
    assert.deepEqual(JSON.parse(create!.body.toString('utf8')), {
      ref: DEPLOY_COMPLETED.commitSha,
      environment: 'production',
      auto_merge: false,
      required_contexts: [],
      description: 'web deployed to production',
      payload: { slipway_event_id: 'evt-deploy-0001', slipway_idempotency_key: 'deploy-0001/github-1' },
    });
    assert.equal(status!.path, '/api/v3/repos/acme/shop/deployments/5550001/statuses');
    assert.deepEqual(JSON.parse(status!.body.toString('utf8')), {
      state: 'success',
      description: 'web deployed to production',
      environment_url: 'https://shop.example.com',
      log_url: 'https://slipway.example.com/runs/42',
    });
    assert.deepEqual(
      github.http.requests.slice(start).map((request) => request.status),
      [200, 201, 201],
    );
  });

  it('a repeat of a deploy notification (its worker died before recording it) makes no second deployment', async () => {
    const start = github.http.requests.length;
    const repeat = { ...DEPLOY_COMPLETED, id: 'evt-deploy-0009' };
    await channel.send(repeat, 'deploy-0009/github-1');
    await channel.send(repeat, 'deploy-0009/github-1');
    assert.deepEqual(github.violations, []);
    assert.deepEqual(github.operations().slice(start), [
      'repos/list-deployments',
      'repos/create-deployment',
      'repos/create-deployment-status',
      'repos/list-deployments',
      'repos/create-deployment-status',
    ]);
    const statuses = github.http.requests.slice(start).filter((r) => /\/statuses$/.test(r.path));
    assert.equal(new Set(statuses.map((r) => r.path)).size, 1, 'both statuses are on the one deployment');
    // Another notification for the same commit and environment is a deployment of its own.
    await channel.send({ ...repeat, id: 'evt-deploy-0010' }, 'deploy-0010/github-1');
    assert.equal(
      github.operations().filter((op, i) => i >= start && op === 'repos/create-deployment').length,
      2,
    );
  });

  it('reports a rollback as a failed deployment', async () => {
    const start = github.http.requests.length;
    await channel.send({ ...DEPLOY_COMPLETED, trigger: 'rollout.rolledback', id: 'evt-rb-1' }, 'rb-1/github');
    assert.deepEqual(github.violations, []);
    const status = github.http.requests[start + 2]!;
    assert.equal((JSON.parse(status.body.toString('utf8')) as { state: string }).state, 'failure');
  });

  it('turns a secondary rate limit (403 + Retry-After) into a retryable error with the wait', async () => {
    github.http.respondNext({
      status: 403,
      headers: { 'content-type': 'application/json', 'retry-after': '60' },
      body: '{"message":"You have exceeded a secondary rate limit."}',
    });
    const error = await rejection(channel.send(PIPELINE_FAILED, 'pipeline-0002/github-2'));
    assert.deepEqual([error.code, error.retryable, error.retryAfterMs], ['RATE_LIMITED', true, 60_000]);
    assertNoSecret(error, [TOKEN]);
  });

  it('turns a 429 into a retryable error and a 422 into a permanent one', async () => {
    github.http.respondNext(
      {
        status: 429,
        headers: { 'content-type': 'application/json', 'retry-after': '7' },
        body: '{"message":"slow"}',
      },
      {
        status: 422,
        headers: { 'content-type': 'application/json' },
        body: '{"message":"Validation Failed"}',
      },
    );
    const limited = await rejection(channel.send(PIPELINE_FAILED, 'pipeline-0002/github-3'));
    assert.deepEqual([limited.code, limited.retryAfterMs], ['RATE_LIMITED', 7_000]);
    const refused = await rejection(channel.send(PIPELINE_FAILED, 'pipeline-0002/github-3'));
    assert.deepEqual([refused.code, refused.retryable, refused.status], ['REJECTED', false, 422]);
  });

  it('refuses, without calling GitHub, a notification that has no commit', async () => {
    const start = github.http.requests.length;
    const { commitSha: _none, ...withoutCommit } = PIPELINE_FAILED;
    const error = await rejection(channel.send(withoutCommit, 'pipeline-0002/github-4'));
    assert.deepEqual([error.code, error.retryable], ['MISSING_FIELD', false]);
    assert.equal(github.http.requests.length, start);
  });

  it('has a stand-in that refuses what the OpenAPI description does not allow', async () => {
    const response = await fetch(`${github.baseUrl}/repos/acme/shop/statuses/${PIPELINE_FAILED.commitSha}`, {
      method: 'POST',
      headers: { authorization: `token ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ state: 'broken', contxt: 'slipway/ci' }),
    });
    assert.equal(response.status, 422);
    const violation = github.violations.pop();
    assert.ok(violation !== undefined);
    assert.ok(
      violation.reasons.some((reason) => /allowed values/.test(reason)),
      violation.reasons.join('; '),
    );
    assert.ok(violation.reasons.includes('field contxt is not documented'), violation.reasons.join('; '));
  });
});
