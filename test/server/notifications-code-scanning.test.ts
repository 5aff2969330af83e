// GitHub code scanning from a running server: a pipeline run's scan job records its findings, and
// the server's notifier uploads them, through the outbox, to a stand-in of the GitHub API that checks
// the request against GitHub's OpenAPI description; the upload decodes to valid SARIF 2.1.0 for the
// run's commit and branch, and the run's failed gate is not changed by it.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { readSarif } from '../../src/findings/read-sarif.js';
import { type GithubReceiver, startGithubReceiver } from '../notifications/receivers/github-receiver.js';
import { type Harness, startServer, tempProject, waitFor } from './helpers/server-harness.js';

const TOKEN = 'github_pat_for_the_code_scanning_test_0123';
const SARIF = JSON.stringify({
  version: '2.1.0',
  runs: [
    {
      tool: {
        driver: { name: 'Semgrep', rules: [{ id: 'js.eval', properties: { 'security-severity': '9.1' } }] },
      },
      results: [
        {
          ruleId: 'js.eval',
          message: { text: 'eval of user input' },
          locations: [
            { physicalLocation: { artifactLocation: { uri: 'src/app.js' }, region: { startLine: 7 } } },
          ],
        },
      ],
    },
  ],
});

describe('GitHub code scanning from slipway server', { timeout: 90_000 }, () => {
  let h: Harness;
  let github: GithubReceiver;
  let sha: string;

  before(async () => {
    github = await startGithubReceiver();
    const project = await tempProject(
      [
        'version: 1',
        'project: { name: shop }',
        'jobs:',
        '  sast:',
        '    run: mkdir -p reports && cp report.sarif reports/semgrep.sarif',
        '    findings: { sarif: reports/*.sarif, failOn: critical }',
        'gitops:',
        '  repository: { url: desired }',
        '  notifications:',
        `    github: { baseUrl: '${github.baseUrl}', repository: acme/shop, token: GITHUB_TOKEN, codeScanning: true }`,
        '',
      ].join('\n'),
    );
    writeFileSync(join(project, 'report.sarif'), SARIF);
    const git = (...args: string[]) =>
      execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', ...args], {
        cwd: project,
        encoding: 'utf8',
      }).trim();
    git('init', '-q', '-b', 'main');
    git('add', '.');
    git('commit', '-q', '-m', 'scanned');
    sha = git('rev-parse', 'HEAD');
    h = await startServer(project, undefined, {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, GITHUB_TOKEN: TOKEN },
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
  });
  after(async () => {
    await h?.close();
    await github?.close();
  });

  test("a run's recorded findings are uploaded for its commit and branch; the run keeps its verdict", async () => {
    const started = await h.api('POST', '/api/v1/runs', { token: h.tokens.deployer, body: {} });
    assert.equal(started.status, 202, started.text);
    const runId: number = started.json.runId;
    const [delivery] = await waitFor(
      'the code scanning upload',
      async () => {
        const done = (await h.store.listNotificationDeliveries({ status: ['delivered', 'failed'] })).filter(
          (d) => d.trigger === 'findings.recorded',
        );
        return done.length > 0 ? done : undefined;
      },
      30_000,
    );
    assert.equal(delivery?.status, 'delivered', delivery?.lastError ?? '');
    assert.equal(delivery?.trigger, 'findings.recorded');
    assert.equal((await h.store.getRun(runId))?.status, 'failure');
    assert.deepEqual(github.violations, []);
    const uploads = github.http.requests.filter(
      (r) => r.path === '/api/v3/repos/acme/shop/code-scanning/sarifs',
    );
    assert.equal(uploads.length, 1);
    assert.equal(uploads[0]?.method, 'POST');
    assert.equal(uploads[0]?.status, 202);
    const body = JSON.parse(uploads[0]!.body.toString('utf8')) as Record<string, string>;
    assert.equal(body.commit_sha, sha);
    assert.equal(body.ref, 'refs/heads/main');
    assert.equal(body.tool_name, 'Semgrep');
    const sarif: unknown = JSON.parse(gunzipSync(Buffer.from(body.sarif!, 'base64')).toString('utf8'));
    assert.deepEqual(
      readSarif(sarif, { file: 'upload.sarif' }).map((f) => [f.tool, f.rule, f.severity, f.location]),
      [['Semgrep', 'js.eval', 'critical', { file: 'src/app.js', line: 7 }]],
    );
    // The findings API links to the files of the run's commit on the same GitHub.
    const found = await h.api('GET', `/api/v1/runs/${runId}/findings`, { token: h.tokens.viewer });
    assert.equal(found.json.blobUrl, `${github.http.origin}/acme/shop/blob/${sha}`);
  });
});
