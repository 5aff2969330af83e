// A run's findings on its dashboard page, in a real (headless Debian) Chromium against a real server:
// the page is open before the scan job records anything and the findings appear live, counted per
// severity and grouped most severe first, with each job's gate; files link to the repository at the
// run's commit (or stay text when the path leaves the project); and scanner output that looks like
// HTML (a message, a rule id) shows as text and runs nothing.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { CHROMIUM, skipWithout } from '../helpers/outside-program.js';
import { dashboardPage, launchChromium } from './helpers/dashboard-page.js';
import { type Harness, startServer } from './helpers/server-harness.js';

const XSS_MESSAGE = 'eval of <img src=x onerror="window.__xss=1"> input';
const XSS_RULE = '<svg onload="window.__xss=2">';

const result = (ruleId: string, level: string, text: string, uri: string, line: number) => ({
  ruleId,
  level,
  message: { text },
  locations: [{ physicalLocation: { artifactLocation: { uri }, region: { startLine: line } } }],
});

const SARIF = JSON.stringify({
  version: '2.1.0',
  runs: [
    {
      tool: {
        driver: {
          name: 'Semgrep',
          rules: [{ id: 'js.eval', properties: { 'security-severity': '9.1' } }],
        },
      },
      results: [
        result('js.eval', 'error', XSS_MESSAGE, 'src/app.js', 7),
        result(XSS_RULE, 'error', 'an SVG in the rule id', 'src/a%20b.js', 3),
        result('js.console', 'note', 'console.log left in', 'src/app.js', 9),
        result('js.path', 'note', 'a file outside the project', '../outside.js', 2),
        result('js.console', 'note', 'console.log in a build script', 'scripts/build.js', 4),
      ],
    },
  ],
});

describe('the findings of a run on its dashboard page', {
  skip: skipWithout(CHROMIUM),
  timeout: 90_000,
}, () => {
  let h: Harness;
  let browser: Browser;
  let dir: string;
  let go: string;
  let sha: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'slipway-dashboard-findings-'));
    go = join(mkdtempSync(join(tmpdir(), 'slipway-findings-go-')), 'go');
    writeFileSync(join(dir, 'report.sarif'), SARIF);
    writeFileSync(
      join(dir, 'slipway.yaml'),
      `version: 1
project: { name: scanned }
release: { repositoryUrl: 'https://github.com/acme/shop' }
jobs:
  sast:
    run: until [ -f '${go}' ]; do sleep 0.1; done; mkdir -p reports && cp report.sarif reports/semgrep.sarif
    findings: { sarif: reports/*.sarif, failOn: critical }
security:
  suppressions:
    - rule: js.console
      path: scripts/**
      reason: build output only
      expires: "2099-12-31"
      author: alice@example.com
`,
    );
    const git = (...args: string[]) =>
      execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', ...args], {
        cwd: dir,
        encoding: 'utf8',
      }).trim();
    git('init', '-q', '-b', 'main');
    git('add', '.');
    git('commit', '-q', '-m', 'scanned project');
    sha = git('rev-parse', 'HEAD');
    h = await startServer(dir);
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await h?.close();
  });

  test('findings appear live, grouped by severity with links and gates, and HTML in them stays text', async () => {
    const started = await h.api('POST', '/api/v1/runs', { token: h.tokens.deployer, body: {} });
    assert.equal(started.status, 202, started.text);
    const runId: number = started.json.runId;
    const { page, errors } = await dashboardPage(browser, h.url, h.tokens.viewer, `#/runs/${runId}`);
    await page.waitForSelector('#run-status');
    // No job has recorded findings yet: the section is not shown.
    assert.equal(await page.isHidden('#findings'), true);

    writeFileSync(go, '');
    await page.waitForSelector('#findings:not([hidden]) [data-finding-counts]', { timeout: 30_000 });
    const counts = await page.$$eval('[data-severity-count]', (nodes) =>
      nodes.map((n) => [
        n.getAttribute('data-severity-count'),
        n.getAttribute('data-total'),
        n.getAttribute('data-counted'),
      ]),
    );
    assert.deepEqual(counts, [
      ['critical', '1', '1'],
      ['high', '1', '0'],
      ['medium', '0', '0'],
      ['low', '3', '0'],
    ]);
    assert.deepEqual(
      await page.$$eval('.finding-group', (nodes) => nodes.map((n) => n.getAttribute('data-severity'))),
      ['critical', 'high', 'low'],
    );

    const gate = page.locator('[data-gate-job="sast"]');
    assert.equal(await gate.getAttribute('data-gate'), 'failed');
    assert.equal(await gate.locator('[data-gate-threshold]').textContent(), 'critical and above');
    assert.equal(await gate.locator('[data-gate-new-only]').textContent(), 'no');
    assert.equal(await gate.locator('[data-gate-counted]').textContent(), '1');
    assert.equal(await gate.locator('[data-gate-suppressed]').textContent(), '1');

    // The critical finding: rule, tool, message and a link to its line at the run's commit.
    const critical = page.locator('[data-severity="critical"] .finding');
    assert.equal(await critical.count(), 1);
    assert.equal(await critical.locator('.finding-rule').textContent(), 'js.eval');
    assert.match((await critical.textContent()) ?? '', /Semgrep/);
    assert.equal(await critical.locator('.finding-message').textContent(), XSS_MESSAGE);
    const link = critical.locator('a.finding-file');
    assert.equal(await link.textContent(), 'src/app.js:7');
    assert.equal(await link.getAttribute('href'), `https://github.com/acme/shop/blob/${sha}/src/app.js#L7`);

    const high = page.locator('[data-severity="high"] .finding');
    assert.equal(await high.locator('.finding-rule').textContent(), XSS_RULE);
    assert.equal(
      await high.locator('a.finding-file').getAttribute('href'),
      `https://github.com/acme/shop/blob/${sha}/src/a%20b.js#L3`,
    );

    // A path that leaves the project is shown, not linked; the suppressed finding says so.
    const low = page.locator('[data-severity="low"] .finding');
    assert.equal(await low.count(), 3);
    const outside = low.filter({ hasText: 'a file outside the project' });
    assert.equal(await outside.locator('a').count(), 0);
    assert.equal(await outside.locator('.finding-file').textContent(), '../outside.js:2');
    assert.equal(await page.locator('[data-severity="low"] .finding[data-status="suppressed"]').count(), 1);

    // Scanner output is text: no element was made from it, and nothing it carried ran.
    assert.equal(await page.locator('#findings img, #findings svg, #findings script').count(), 0);
    assert.equal(await page.evaluate('window.__xss'), undefined);
    assert.deepEqual(errors, []);
    await page.close();
  });
});
