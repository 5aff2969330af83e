// The HTTP API on SQLite: auth on every route, validation at the edge, runs watched through SSE,
// approvals by role, the audit trail, health, metrics, OpenAPI, and tokens stored only as hashes.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openApiPath } from '../../src/server/openapi.js';
import { type Harness, readSse, startServer, tempProject, waitFor } from './helpers/server-harness.js';

const PIPELINE = `version: 1
project: { name: tiny }
jobs:
  hello: { run: echo hello-from-job }
  slow: { run: sleep 30 }
pipeline:
  stages:
    - name: build
      parallel: [hello]
    - name: wait
      parallel: [slow]
    - name: deploy
      environments:
        - production: { approval: manual_approval, run: echo deployed }
`;

/** A concrete path for a route pattern: every `:param` becomes 1. */
const concrete = (url: string) => url.replace(/:[A-Za-z_]+/g, '1');

describe('server API (SQLite)', () => {
  let h: Harness;
  before(async () => {
    h = await startServer(await tempProject(PIPELINE));
  });
  after(async () => {
    await h.close();
  });

  test('/healthz, /readyz and the OpenAPI document need no token; the document lists every route', async () => {
    assert.deepEqual((await h.api('GET', '/healthz')).json, { status: 'ok' });
    const ready = await h.api('GET', '/readyz');
    assert.equal(ready.status, 200);
    assert.equal(ready.json.status, 'ready');
    const doc = await h.api('GET', '/api/v1/openapi.json');
    assert.equal(doc.status, 200);
    assert.equal(doc.json.openapi, '3.1.0');
    for (const route of h.server.routes) {
      const operation = doc.json.paths[openApiPath(route.url)]?.[route.method.toLowerCase()];
      assert.ok(operation, `${route.method} ${route.url} is in the document`);
      assert.ok(Object.keys(operation.responses).length > 0);
    }
    const start = doc.json.paths['/api/v1/runs'].post;
    assert.deepEqual(Object.keys(start.requestBody.content['application/json'].schema.properties).sort(), [
      'job',
      'stage',
    ]);
    assert.equal(start.requestBody.content['application/json'].schema.additionalProperties, false);
    const logs = doc.json.paths['/api/v1/runs/{id}/logs'].get;
    assert.deepEqual(
      logs.parameters.map((p: { name: string; in: string }) => `${p.in}:${p.name}`),
      ['path:id', 'query:job', 'query:afterId', 'query:limit'],
    );
  });

  test('every /api/v1 route but the document answers 401 without a token, and with a bad or revoked one', async () => {
    const protectedRoutes = h.server.routes.filter((r) => r.role !== null);
    assert.ok(protectedRoutes.length >= 20, `${protectedRoutes.length} protected routes`);
    for (const route of protectedRoutes) {
      const response = await h.api(
        route.method,
        concrete(route.url),
        route.method === 'POST' ? { body: {} } : {},
      );
      assert.equal(response.status, 401, `${route.method} ${route.url}`);
      assert.equal(response.json.error.code, 'UNAUTHORIZED');
    }
    assert.equal((await h.api('GET', '/api/v1/runs', { token: 'slw_not-a-real-token' })).status, 401);
    assert.equal(
      (await h.api('GET', '/api/v1/runs', { headers: { authorization: 'Basic abc' } })).status,
      401,
    );
    const { generateToken, hashToken } = await import('../../src/access/api-token.js');
    const revoked = generateToken();
    await h.store.createToken({ name: 'gone', role: 'admin', hash: hashToken(revoked), createdBy: 'test' });
    assert.equal((await h.api('GET', '/api/v1/runs', { token: revoked })).status, 200);
    await h.store.revokeToken('gone');
    assert.equal((await h.api('GET', '/api/v1/runs', { token: revoked })).status, 401);
  });

  test('a viewer reads but gets 403 on every mutation; the role needed is named', async () => {
    // The endless stream is read by the SSE test, with a viewer token.
    for (const route of h.server.routes.filter((r) => r.role !== null && !r.url.endsWith('/stream'))) {
      const response = await h.api(route.method, concrete(route.url), {
        token: h.tokens.viewer,
        ...(route.method === 'POST' ? { body: {} } : {}),
      });
      if (route.role !== 'viewer') {
        assert.equal(response.status, 403, `${route.method} ${route.url}`);
        assert.match(response.json.error.message, new RegExp(`needs the ${route.role} role`));
      } else {
        assert.ok(
          ![401, 403, 500].includes(response.status),
          `${route.url}: ${response.status} ${response.text}`,
        );
      }
    }
    const runs = await h.api('GET', '/api/v1/runs', { token: h.tokens.viewer });
    assert.equal(runs.status, 200);
    assert.ok(Array.isArray(runs.json.runs));
  });

  test('garbage requests get a 400 naming the field, never a 500', async () => {
    const post = (options: { rawBody?: string; body?: unknown }) =>
      h.api('POST', '/api/v1/runs', { token: h.tokens.deployer, ...options });
    const cases: [
      Promise<{ status: number; json: { error: { code: string; field?: string } } }>,
      string | undefined,
      string,
    ][] = [
      [post({ body: { job: 5 } }), 'job', 'INVALID_REQUEST'],
      [post({ body: { job: 'hello', colour: 'red' } }), 'colour', 'INVALID_REQUEST'],
      [post({ body: [1, 2] }), 'body', 'INVALID_REQUEST'],
      [post({ body: 'text' }), 'body', 'INVALID_REQUEST'],
      [post({ body: { job: 'nope' } }), 'job', 'INVALID_REQUEST'],
      [post({ rawBody: '{"job": ' }), undefined, 'BAD_JSON'],
      [h.api('GET', '/api/v1/runs?limit=abc', { token: h.tokens.viewer }), 'limit', 'INVALID_REQUEST'],
      [h.api('GET', '/api/v1/runs?limit=5000', { token: h.tokens.viewer }), 'limit', 'INVALID_REQUEST'],
      [h.api('GET', '/api/v1/runs?status=exploded', { token: h.tokens.viewer }), 'status', 'INVALID_REQUEST'],
      [h.api('GET', '/api/v1/runs?bogus=1', { token: h.tokens.viewer }), 'bogus', 'INVALID_REQUEST'],
      [h.api('GET', '/api/v1/runs/abc', { token: h.tokens.viewer }), 'id', 'INVALID_REQUEST'],
      [
        h.api('GET', '/api/v1/events?type=service.exploded', { token: h.tokens.viewer }),
        'type',
        'INVALID_REQUEST',
      ],
      [
        h.api('POST', '/api/v1/runs/1/approvals/production/approve', {
          token: h.tokens.approver,
          body: { comment: 7 },
        }),
        'comment',
        'INVALID_REQUEST',
      ],
      [
        h.api('POST', '/api/v1/services/web/environments/prod/rollback', {
          token: h.tokens.deployer,
          body: { to: 'x' },
        }),
        'to',
        'INVALID_REQUEST',
      ],
    ];
    for (const [pending, field, code] of cases) {
      const response = await pending;
      assert.equal(response.status, 400, JSON.stringify(response.json));
      assert.equal(response.json.error.code, code);
      if (field !== undefined) assert.equal(response.json.error.field, field);
    }
    const wrongType = await h.api('POST', '/api/v1/runs', {
      token: h.tokens.deployer,
      headers: { 'content-type': 'text/plain' },
      rawBody: 'job=hello',
    });
    assert.equal(wrongType.status, 415);
    assert.equal(wrongType.json.error.code, 'UNSUPPORTED_MEDIA_TYPE');
    const missing = await h.api('GET', '/api/v1/runs/999', { token: h.tokens.viewer });
    assert.equal(missing.status, 404);
    assert.equal(missing.json.error.code, 'RUN_NOT_FOUND');
    assert.equal((await h.api('GET', '/api/v1/nothing-here', { token: h.tokens.viewer })).status, 404);
  });

  test('every mutating route, with an admin token and a garbage body: 400 or 415, never a 5xx', async () => {
    const mutating = h.server.routes.filter(
      (r) => r.method !== 'GET' && r.url.startsWith('/api/v1/') && !r.url.includes('/hooks/'),
    );
    assert.ok(mutating.length >= 15, `${mutating.length} mutating routes`);
    const garbage: { rawBody?: string; body?: unknown; headers?: Record<string, string> }[] = [
      { rawBody: '{"oops": ' },
      { body: [1, 2, 3] },
      { body: { unknownField: true, nested: { deep: [null] } } },
      { rawBody: 'a=b', headers: { 'content-type': 'application/x-www-form-urlencoded' } },
    ];
    for (const route of mutating) {
      for (const sample of garbage) {
        const response = await h.api(route.method, concrete(route.url), { token: h.tokens.admin, ...sample });
        const label = `${route.method} ${route.url} with ${JSON.stringify(sample)}: ${response.status} ${response.text}`;
        assert.ok(response.status >= 400 && response.status < 500, label);
        assert.equal(typeof response.json.error.code, 'string', label);
        if (route.body !== undefined && sample.rawBody === '{"oops": ')
          assert.equal(response.status, 400, label);
      }
    }
    assert.equal((await h.api('GET', '/healthz')).status, 200, 'the server is still up');
  });

  test('a 2 MB body gets 413', async () => {
    const response = await h.api('POST', '/api/v1/runs', {
      token: h.tokens.deployer,
      rawBody: JSON.stringify({ job: 'x'.repeat(2 * 1024 * 1024) }),
    });
    assert.equal(response.status, 413);
    assert.equal(response.json.error.code, 'BODY_TOO_LARGE');
  });

  test('a run started through the API answers 202 and is watched to the end through SSE; Last-Event-ID resumes', async () => {
    const started = await h.api('POST', '/api/v1/runs', { token: h.tokens.deployer, body: { job: 'hello' } });
    assert.equal(started.status, 202, started.text);
    const runId = started.json.runId;
    assert.equal(typeof runId, 'number');
    const stream = await readSse(
      `${h.url}/api/v1/events/stream?run=${runId}&afterId=0`,
      h.tokens.viewer,
      (e) => e.event === 'pipelinerun.finished',
    );
    assert.match(stream.contentType ?? '', /text\/event-stream/);
    const types = stream.events.map((e) => e.event);
    assert.deepEqual(
      types.filter((t) => t?.startsWith('pipelinerun')),
      ['pipelinerun.queued', 'pipelinerun.started', 'pipelinerun.finished'],
    );
    assert.ok(types.includes('taskrun.finished'));
    const finished = stream.events.at(-1);
    assert.equal(finished?.data.data.status, 'success');
    assert.equal(finished?.data.runId, runId);
    assert.equal(finished?.data.actor, 'deployer-token');
    for (const e of stream.events) assert.equal(e.id, String(e.data.id));
    const first = stream.events[0];
    assert.ok(first?.id);
    const resumed = await readSse(
      `${h.url}/api/v1/events/stream?run=${runId}`,
      h.tokens.viewer,
      (e) => e.event === 'pipelinerun.finished',
      { headers: { 'last-event-id': first.id } },
    );
    assert.deepEqual(
      resumed.events.map((e) => e.id),
      stream.events.slice(1).map((e) => e.id),
    );
    const run = await h.api('GET', `/api/v1/runs/${runId}`, { token: h.tokens.viewer });
    assert.equal(run.json.run.status, 'success');
    assert.equal(run.json.run.plan, undefined, 'the stored plan is not handed out');
    assert.deepEqual(
      run.json.jobs.map((j: { jobKey: string; status: string }) => [j.jobKey, j.status]),
      [['hello', 'success']],
    );
    const logs = await h.api('GET', `/api/v1/runs/${runId}/logs`, { token: h.tokens.viewer });
    assert.ok(logs.json.lines.some((l: { text: string }) => l.text.includes('hello-from-job')));
    const events = await h.api('GET', `/api/v1/events?run=${runId}&type=pipelinerun.finished`, {
      token: h.tokens.viewer,
    });
    assert.deepEqual(
      events.json.events.map((e: { data: { status: string } }) => e.data.status),
      ['success'],
    );
  });

  test('rerun answers 202 with a new run; the stream filters by type', async () => {
    const runs = await h.api('GET', '/api/v1/runs?status=success&limit=1', { token: h.tokens.viewer });
    const previous = runs.json.runs[0].id;
    const rerun = await h.api('POST', `/api/v1/runs/${previous}/rerun`, {
      token: h.tokens.deployer,
      body: {},
    });
    assert.equal(rerun.status, 202, rerun.text);
    assert.ok(rerun.json.runId > previous);
    const stream = await readSse(
      `${h.url}/api/v1/events/stream?run=${rerun.json.runId}&afterId=0&type=pipelinerun.started,pipelinerun.finished`,
      h.tokens.viewer,
      (e) => e.event === 'pipelinerun.finished',
    );
    assert.deepEqual(
      stream.events.map((e) => e.event),
      ['pipelinerun.started', 'pipelinerun.finished'],
    );
    const run = await h.api('GET', `/api/v1/runs/${rerun.json.runId}`, { token: h.tokens.viewer });
    assert.equal(run.json.run.trigger, `rerun:${previous}`);
    assert.equal(run.json.run.status, 'success');
  });

  test('cancelling a run started here aborts it (and the server lives on)', async () => {
    const started = await h.api('POST', '/api/v1/runs', { token: h.tokens.deployer, body: { job: 'slow' } });
    assert.equal(started.status, 202);
    const runId = started.json.runId;
    await waitFor('the slow job to start', async () => {
      const run = await h.api('GET', `/api/v1/runs/${runId}`, { token: h.tokens.viewer });
      return run.json.jobs.some((j: { status: string }) => j.status === 'running') ? true : undefined;
    });
    const cancel = await h.api('POST', `/api/v1/runs/${runId}/cancel`, { token: h.tokens.deployer });
    assert.equal(cancel.status, 202, cancel.text);
    assert.equal(cancel.json.cancel, 'signalled');
    const status = await waitFor('the run to end', async () => {
      const run = await h.api('GET', `/api/v1/runs/${runId}`, { token: h.tokens.viewer });
      return ['queued', 'running', 'waiting'].includes(run.json.run.status) ? undefined : run.json.run.status;
    });
    assert.equal(status, 'cancelled');
    assert.equal((await h.api('GET', '/healthz')).status, 200);
    const again = await h.api('POST', `/api/v1/runs/${runId}/cancel`, { token: h.tokens.deployer });
    assert.equal(again.status, 409);
    assert.equal(again.json.error.code, 'RUN_FINISHED');
  });

  test('a manual production gate: a deployer gets 403, an approver approves, the run finishes', async () => {
    const started = await h.api('POST', '/api/v1/runs', {
      token: h.tokens.deployer,
      body: { stage: 'deploy' },
    });
    assert.equal(started.status, 202, started.text);
    const runId = started.json.runId;
    await waitFor('the production gate', async () => {
      const gates = await h.api('GET', `/api/v1/runs/${runId}/approvals`, { token: h.tokens.viewer });
      return gates.json.approvals.some(
        (a: { environment: string; status: string }) =>
          a.environment === 'production' && a.status === 'pending',
      )
        ? true
        : undefined;
    });
    const path = `/api/v1/runs/${runId}/approvals/production/approve`;
    const denied = await h.api('POST', path, { token: h.tokens.deployer, body: {} });
    assert.equal(denied.status, 403);
    assert.match(denied.json.error.message, /approver/);
    const approved = await h.api('POST', path, { token: h.tokens.approver, body: { comment: 'ship it' } });
    assert.equal(approved.status, 200, approved.text);
    assert.deepEqual(approved.json, {
      run: runId,
      environment: 'production',
      decision: 'approved',
      by: 'approver-token',
      status: 'approved',
      approvals: 1,
      required: 1,
    });
    const twice = await h.api('POST', path, { token: h.tokens.admin });
    assert.equal(twice.status, 409);
    const status = await waitFor('the run to end', async () => {
      const run = await h.api('GET', `/api/v1/runs/${runId}`, { token: h.tokens.viewer });
      return ['queued', 'running', 'waiting'].includes(run.json.run.status) ? undefined : run.json.run.status;
    });
    assert.equal(status, 'success');
  });

  test('services and releases answer with domain errors as 4xx', async () => {
    const unknown = await h.api('POST', '/api/v1/services/ghost/environments/production/deploy', {
      token: h.tokens.deployer,
    });
    assert.equal(unknown.status, 404);
    assert.equal(unknown.json.error.code, 'SERVICE_UNKNOWN');
    const abort = await h.api('POST', '/api/v1/services/web/environments/production/abort', {
      token: h.tokens.deployer,
    });
    assert.equal(abort.status, 409);
    assert.equal(abort.json.error.code, 'NO_ROLLOUT');
    const history = await h.api('GET', '/api/v1/services/web/environments/production/history', {
      token: h.tokens.viewer,
    });
    assert.deepEqual(history.json, { rollouts: [] });
    assert.deepEqual((await h.api('GET', '/api/v1/releases', { token: h.tokens.viewer })).json, {
      releases: [],
    });
    const release = await h.api('GET', '/api/v1/releases/v9.9.9', { token: h.tokens.viewer });
    assert.equal(release.status, 404);
    assert.equal(release.json.error.code, 'RELEASE_NOT_FOUND');
    const project = await h.api('GET', '/api/v1/project', { token: h.tokens.viewer });
    assert.equal(project.json.name, 'tiny');
    assert.deepEqual(project.json.jobs, ['hello', 'slow']);
  });

  test('every mutating request is audited (who, what, from where, status); the trail is admin-only and holds no token', async () => {
    await h.api('POST', '/api/v1/runs/424242/cancel');
    const forbidden = await h.api('GET', '/api/v1/audit', { token: h.tokens.approver });
    assert.equal(forbidden.status, 403);
    const audit = await h.api('GET', '/api/v1/audit?limit=1000', { token: h.tokens.admin });
    assert.equal(audit.status, 200);
    const events = audit.json.events as { type: string; actor: string; data: Record<string, unknown> }[];
    assert.ok(events.length > 10);
    assert.ok(events.every((e) => e.type === 'audit.recorded'));
    const anonymous = events.find((e) => e.data.path === '/api/v1/runs/424242/cancel');
    assert.deepEqual(anonymous?.data, {
      method: 'POST',
      path: '/api/v1/runs/424242/cancel',
      token: null,
      role: null,
      remoteAddress: '127.0.0.1',
      status: 401,
    });
    const approval = events.find((e) => String(e.data.path).endsWith('/approve') && e.data.status === 200);
    assert.equal(approval?.actor, 'approver-token');
    assert.equal(approval?.data.role, 'approver');
    const started = events.filter((e) => e.data.path === '/api/v1/runs' && e.data.status === 202);
    assert.ok(started.length >= 3);
    const all = JSON.stringify(events);
    for (const token of Object.values(h.tokens))
      assert.ok(!all.includes(token), 'no token in the audit trail');
    const publicEvents = await h.api('GET', '/api/v1/events?limit=1000', { token: h.tokens.admin });
    assert.ok(publicEvents.json.events.every((e: { type: string }) => e.type !== 'audit.recorded'));
  });

  test('/metrics counts runs, jobs and durations from the event log, with the queue depth', async () => {
    const response = await h.api('GET', '/metrics');
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /text\/plain/);
    assert.match(response.text, /^slipway_runs_total\{status="success"\} 3$/m);
    assert.match(response.text, /^slipway_runs_total\{status="cancelled"\} 1$/m);
    // hello twice (run and rerun), and the production deploy of the approved run; slow was cancelled.
    assert.match(response.text, /^slipway_jobs_total\{status="success"\} 3$/m);
    assert.match(response.text, /^slipway_jobs_total\{status="cancelled"\} 1$/m);
    assert.match(response.text, /^slipway_deploys_total\{environment="production"\} 1$/m);
    assert.match(response.text, /^slipway_run_duration_seconds_count 4$/m);
    assert.match(response.text, /^slipway_queue_depth 0$/m);
    assert.match(response.text, /^# TYPE slipway_deploys_total counter$/m);
    assert.match(response.text, /^# TYPE slipway_rollbacks_total counter$/m);
  });

  test('nothing went wrong inside the server meanwhile', () => {
    assert.deepEqual(
      h.logs.filter((line) => line.startsWith('error:')),
      [],
    );
  });

  test('tokens exist in the database only as sha256 hashes', async () => {
    const { hashToken } = await import('../../src/access/api-token.js');
    const db = join(h.projectDir, '.slipway', 'state.db');
    const files = [db, `${db}-wal`];
    let bytes = '';
    for (const file of files) bytes += await readFile(file, 'latin1').catch(() => '');
    for (const token of Object.values(h.tokens)) {
      assert.ok(!bytes.includes(token), 'the token itself is not in the database files');
      assert.ok(bytes.includes(hashToken(token)), 'its hash is');
    }
    const listed = await h.store.listTokens();
    assert.ok(listed.every((t) => !('hash' in t)));
  });
});

test('/readyz answers 503 when the store is unreachable', async () => {
  const h = await startServer(await tempProject(PIPELINE));
  try {
    assert.equal((await h.api('GET', '/readyz')).status, 200);
    await h.store.close();
    const response = await h.api('GET', '/readyz');
    assert.equal(response.status, 503);
    assert.equal(response.json.status, 'not ready');
    assert.equal((await h.api('GET', '/healthz')).status, 200, 'still alive');
  } finally {
    await h.close();
  }
});
