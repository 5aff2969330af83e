// Secrets never leave the server: a job that prints its secret (plain and base64) is masked in
// every API answer (run, logs, events, audit, the event stream) and in the server's own log.
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type Harness, readSse, startServer, tempProject, waitFor } from './helpers/server-harness.js';

const SECRET = 'sup3r-secret-value-4711';
const FILE_SECRET = 'from-the-secrets-file-0815';

const PIPELINE = `version: 1
project: { name: secretive }
jobs:
  leak:
    run: |
      echo "key=$API_KEY"
      echo "b64=$(printf %s "$API_KEY" | base64)"
      echo "file=$DB_PASSWORD" >&2
      echo "api-key: $API_KEY" > leaked.txt
    secrets: [API_KEY, DB_PASSWORD]
`;

describe('secrets through the server', () => {
  let h: Harness;
  before(async () => {
    const dir = await tempProject(PIPELINE);
    await mkdir(join(dir, '.slipway'), { recursive: true });
    await writeFile(join(dir, '.slipway', 'secrets.env'), `DB_PASSWORD=${FILE_SECRET}\n`);
    h = await startServer(dir, undefined, {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, API_KEY: SECRET },
    });
  });
  after(async () => {
    await h.close();
  });

  test('a run that prints its secrets shows them masked in every answer and in the server log', async () => {
    const started = await h.api('POST', '/api/v1/runs', { token: h.tokens.deployer, body: {} });
    assert.equal(started.status, 202, started.text);
    const runId = started.json.runId as number;
    const streamed = await readSse(
      `${h.url}/api/v1/events/stream?run=${runId}&afterId=0`,
      h.tokens.viewer,
      (e) => e.event === 'pipelinerun.finished',
    );
    await waitFor('the run to be recorded as finished', async () => {
      const run = await h.api('GET', `/api/v1/runs/${runId}`, { token: h.tokens.viewer });
      return run.json.run.status === 'success' ? true : undefined;
    });
    const logs = await h.api('GET', `/api/v1/runs/${runId}/logs?limit=1000`, { token: h.tokens.viewer });
    const lines = logs.json.lines as { text: string }[];
    const text = lines.map((l) => l.text).join('\n');
    assert.match(text, /key=\*{3}/, 'the job printed it, masked');
    assert.match(text, /file=\*{3}/, 'secrets.env values are masked too');
    assert.match(text, /b64=\*{3}/, 'and the base64 form');

    const answers = [
      logs.text,
      (await h.api('GET', `/api/v1/runs/${runId}`, { token: h.tokens.viewer })).text,
      (await h.api('GET', '/api/v1/runs', { token: h.tokens.viewer })).text,
      (await h.api('GET', '/api/v1/events?limit=1000', { token: h.tokens.viewer })).text,
      (await h.api('GET', '/api/v1/audit?limit=1000', { token: h.tokens.admin })).text,
      (await h.api('GET', '/api/v1/project', { token: h.tokens.viewer })).text,
      (await h.api('GET', '/api/v1/openapi.json')).text,
      (await h.api('GET', '/metrics')).text,
      JSON.stringify(streamed.events),
      h.logs.join('\n'),
    ];
    const base64 = Buffer.from(SECRET).toString('base64');
    for (const [i, answer] of answers.entries()) {
      assert.ok(answer.length > 0, `answer ${i} is not empty`);
      for (const secret of [SECRET, FILE_SECRET, base64])
        assert.ok(!answer.includes(secret), `answer ${i} holds a secret: ${answer.slice(0, 300)}`);
    }
  });
});
