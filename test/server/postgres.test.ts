// The HTTP API on the real PostgreSQL (one schema of its own): tokens, a run watched through SSE, approvals, audit.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { hashToken } from '../../src/access/api-token.js';
import { createBackends, rawQuery, type StoreLocation } from '../store/helpers/backends.js';
import { type Harness, readSse, startServer, tempProject, waitFor } from './helpers/server-harness.js';

const PIPELINE = `version: 1
project: { name: pg-tiny }
jobs:
  hello: { run: echo hello-from-postgres }
pipeline:
  stages:
    - name: build
      parallel: [hello]
    - name: deploy
      environments:
        - production: { approval: manual_approval, run: echo deployed }
`;

const backend = createBackends().find((b) => b.name === 'postgres');

describe('server API (PostgreSQL)', () => {
  let h: Harness;
  let location: StoreLocation;
  before(async () => {
    assert.ok(backend);
    const fresh = await backend.fresh({ now: () => Date.now() });
    location = fresh.location;
    h = await startServer(await tempProject(PIPELINE), fresh.store);
  });
  after(async () => {
    await h?.close();
    await backend?.cleanup();
  });

  test('/readyz reports the store ready; auth works against tokens in PostgreSQL', async () => {
    assert.equal((await h.api('GET', '/readyz')).json.status, 'ready');
    assert.equal((await h.api('GET', '/api/v1/runs')).status, 401);
    assert.equal((await h.api('POST', '/api/v1/runs', { token: h.tokens.viewer, body: {} })).status, 403);
    assert.equal((await h.api('GET', '/api/v1/runs', { token: h.tokens.viewer })).status, 200);
    const rows = await rawQuery(location, 'SELECT name, hash FROM tokens ORDER BY id');
    assert.deepEqual(
      rows.map((row) => row.hash),
      Object.values(h.tokens).map(hashToken),
    );
  });

  test('a run through the gate: SSE to the gate, deployer 403, approver approves, SSE to the end', async () => {
    const started = await h.api('POST', '/api/v1/runs', { token: h.tokens.deployer, body: {} });
    assert.equal(started.status, 202, started.text);
    const runId = started.json.runId;
    const toGate = await readSse(
      `${h.url}/api/v1/events/stream?run=${runId}&afterId=0`,
      h.tokens.viewer,
      (e) => e.event === 'approval.requested',
    );
    assert.ok(toGate.events.some((e) => e.event === 'taskrun.finished' && e.data.subject === 'hello'));
    const path = `/api/v1/runs/${runId}/approvals/production/approve`;
    assert.equal((await h.api('POST', path, { token: h.tokens.deployer })).status, 403);
    assert.equal((await h.api('POST', path, { token: h.tokens.approver })).status, 200);
    const last = toGate.events.at(-1);
    const rest = await readSse(
      `${h.url}/api/v1/events/stream?run=${runId}`,
      h.tokens.viewer,
      (e) => e.event === 'pipelinerun.finished',
      { headers: { 'last-event-id': String(last?.id) } },
    );
    assert.ok(rest.events.every((e) => Number(e.id) > Number(last?.id)));
    assert.equal(rest.events.at(-1)?.data.data.status, 'success');
    assert.ok(rest.events.some((e) => e.event === 'approval.granted' && e.data.actor === 'approver-token'));
    const audit = await waitFor('the audit events', async () => {
      const response = await h.api('GET', '/api/v1/audit', { token: h.tokens.admin });
      return response.json.events.length >= 4 ? response.json.events : undefined;
    });
    assert.deepEqual(
      audit.map((e: { data: { status: number; role: string | null } }) => [e.data.role, e.data.status]),
      [
        ['viewer', 403],
        ['deployer', 202],
        ['deployer', 403],
        ['approver', 200],
      ],
    );
  });
});
