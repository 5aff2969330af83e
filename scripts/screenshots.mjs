// Screenshots of the dashboard for the README: a demo project with runs, a canary rollout in
// progress, a waiting approval and releases, shot in headless Chromium at 1280x800 into docs/img/.
// Usage: npx tsx scripts/screenshots.mjs   (tsx loads the TypeScript test harness it reuses)
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { writeRecord } from '../src/release/release-record.ts';
import { startServer, tempProject, waitFor } from '../test/server/helpers/server-harness.ts';

const PIPELINE = `version: 1
project: { name: storefront }
jobs:
  compile: { run: "echo compiling 42 modules && sleep 0.3 && echo 'wrote dist/ (1.2 MB)'" }
  lint: { run: "echo 'checked 118 files' && echo 'no problems'" }
  unit_tests:
    run: "for s in cart checkout pricing search; do echo \\"ok - $s (12 tests)\\"; sleep 0.1; done; echo '# pass 48'; echo '# fail 0'"
  integration_tests: { run: "echo 'db: migrated' && sleep 0.4 && echo 'api: 31 scenarios passed'" }
  image: { run: "echo 'building storefront:1.8.0' && sleep 0.2 && echo 'sha256:5f1c9e0a7b'" }
pipeline:
  stages:
    - name: build
      parallel: [compile, lint]
    - name: test
      parallel: [unit_tests, integration_tests]
    - name: package
      steps: [image]
    - name: deploy
      environments:
        - staging: { run: "echo 'deployed storefront to staging'" }
        - production: { approval: manual_approval, run: "echo 'deployed storefront to production'" }
services:
  web: { run: node server.js }
  api: { run: node api.js }
environments:
  staging: {}
  production: {}
`;

const STABLE = 'r-3f9a1c27d0b4';
const CANARY = 'r-8be04d51a6f2';

/** A platform answering status only: web is mid-canary in production, the rest serve one revision. */
const platform = {
  async list() {
    const one = (service, env, id) => ({
      service,
      env,
      url: `http://${env}.storefront.internal:80${env === 'production' ? 80 : 81}`,
      sticky: false,
      revisions: [{ id, desired: 2, ready: 2, weight: 100, role: 'stable' }],
      instances: [],
    });
    return [
      {
        ...one('web', 'production', STABLE),
        revisions: [
          { id: STABLE, desired: 3, ready: 3, weight: 75, role: 'stable' },
          { id: CANARY, desired: 1, ready: 1, weight: 25, role: 'canary' },
        ],
      },
      one('web', 'staging', CANARY),
      one('api', 'production', 'r-a41d7e9b2c05'),
      one('api', 'staging', 'r-a41d7e9b2c05'),
    ];
  },
  async status(ref) {
    return (await this.list()).find((s) => s.service === ref.service && s.env === ref.env);
  },
};

async function seedRollouts(store) {
  const rollout = async (service, environment, revision, stableRevision, patch) => {
    const created = await store.createRollout({
      service,
      environment,
      revision,
      stableRevision,
      strategy: patch.strategy ?? 'canary',
      plan: {},
      actor: patch.actor ?? 'deploy-bot',
    });
    return store.updateRollout(created.id, { finishedAt: Date.now(), ...patch.update });
  };
  await rollout('api', 'staging', 'r-a41d7e9b2c05', null, {
    strategy: 'rolling',
    update: { phase: 'completed' },
  });
  await rollout('api', 'production', 'r-a41d7e9b2c05', null, {
    strategy: 'blue_green',
    update: { phase: 'completed' },
  });
  await rollout('web', 'staging', 'r-17c2b8e4f913', null, { update: { phase: 'completed' } });
  await rollout('web', 'staging', CANARY, 'r-17c2b8e4f913', { update: { phase: 'completed' } });
  await rollout('web', 'production', 'r-17c2b8e4f913', null, { update: { phase: 'completed' } });
  await rollout('web', 'production', 'r-0d6e3a9c7b18', 'r-17c2b8e4f913', {
    update: { phase: 'rolled_back', reason: 'error_rate 4.1% > 1%' },
  });
  await rollout('web', 'production', STABLE, 'r-17c2b8e4f913', {
    actor: 'maria',
    update: { phase: 'completed' },
  });
  await rollout('web', 'production', CANARY, STABLE, {
    actor: 'maria',
    update: {
      phase: 'running',
      step: 2,
      finishedAt: null,
      data: {
        measuredAt: Date.now() - 20_000,
        measurements: [
          {
            metric: 'error_rate',
            verdict: 'success',
            value: 0.0021,
            threshold: '< 0.01',
            requests: 1843,
            message: 'ok',
          },
          {
            metric: 'latency_p95_ms',
            verdict: 'success',
            value: 182,
            threshold: '< 300',
            requests: 1843,
            message: 'ok',
          },
          { metric: 'synthetic:checkout', verdict: 'success', value: 1, threshold: '== 1', message: 'ok' },
        ],
      },
    },
  });
}

function seedReleases(projectDir) {
  const stateDir = join(projectDir, '.slipway');
  const base = { package: null, assets: [] };
  writeRecord(stateDir, {
    ...base,
    tag: 'v1.7.0',
    version: '1.7.0',
    previous: 'v1.6.2',
    bump: 'minor',
    commit: '9c4e1f27ab0d5e6f7a8b9c0d1e2f3a4b5c6d7e8f',
    publishedAt: '2026-11-20T14:02:00.000Z',
    commits: 14,
    notes:
      '## Features\n- Saved carts survive a sign-in on another device\n- `GET /api/search` ranks exact matches first\n\n## Fixes\n- Prices in the basket round like the invoice does',
    revisions: { web: 'r-17c2b8e4f913', api: 'r-a41d7e9b2c05' },
  });
  writeRecord(stateDir, {
    ...base,
    tag: 'v1.8.0',
    version: '1.8.0',
    previous: 'v1.7.0',
    bump: 'minor',
    commit: '1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b',
    publishedAt: '2026-11-27T09:41:00.000Z',
    commits: 9,
    notes:
      '## Features\n- Express checkout for returning customers\n- Product pages load images lazily\n\n## Fixes\n- The order confirmation mail shows the delivery window\n- `POST /api/cart` answers 409 instead of 500 on a stale version',
    revisions: { web: CANARY, api: 'r-a41d7e9b2c05' },
  });
}

const h = await startServer(await tempProject(PIPELINE), undefined, { platform });
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox'],
});
const out = join(import.meta.dirname, '..', 'docs', 'img');
mkdirSync(out, { recursive: true });
try {
  await seedRollouts(h.store);
  seedReleases(h.projectDir);
  const finished = (runId) =>
    waitFor(`run ${runId}`, async () => ((await h.store.getRun(runId))?.finishedAt ? true : undefined));
  const gate = (runId) =>
    waitFor(`the gate of run ${runId}`, async () =>
      (await h.store.getApproval(runId, 'production'))?.status === 'pending' ? true : undefined,
    );
  const start = async (token) => (await h.api('POST', '/api/v1/runs', { token, body: {} })).json.runId;

  const first = await start(h.tokens.deployer);
  await gate(first);
  await h.api('POST', `/api/v1/runs/${first}/approvals/production/approve`, {
    token: h.tokens.admin,
    body: { comment: 'release window ok' },
  });
  await finished(first);
  const second = await start(h.tokens.deployer);
  await gate(second);
  await h.api('POST', `/api/v1/runs/${second}/approvals/production/reject`, {
    token: h.tokens.admin,
    body: { comment: 'wait for the sale to end' },
  });
  await finished(second);
  const third = await start(h.tokens.deployer);
  await gate(third);

  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.goto(h.url);
  await page.fill('#token', h.tokens.approver);
  await page.click('#login');
  await page.waitForSelector('#live.on');
  const shot = async (name) => {
    await page.waitForTimeout(900);
    const path = join(out, `${name}.png`);
    await page.screenshot({ path });
    process.stdout.write(`${path} ${Math.round(statSync(path).size / 1024)} KB\n`);
  };
  const go = (hash) => page.evaluate((to) => (location.hash = to), hash);

  await page.waitForSelector('tr[data-run]');
  await shot('runs');
  await go(`#/runs/${third}`);
  await page.waitForSelector('.job[data-job="deploy.production"] button[data-decision]');
  await page.click('.job[data-job="unit_tests"]');
  await page.waitForSelector('#logs .line');
  await shot('run-graph');
  await go(`#/runs/${first}`);
  await page.waitForSelector('#run-status[data-run-status="success"]');
  await page.click('.job[data-job="compile"]');
  await page.waitForSelector('#logs .line');
  await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
  await shot('run-logs');
  await go('#/services');
  await page.waitForSelector('[data-service="web"][data-env="production"] .traffic .seg.canary');
  await shot('services');
  await go('#/approvals');
  await page.waitForSelector('[data-gate] button[data-decision="approve"]');
  await shot('approvals');
  await go('#/releases');
  await page.waitForSelector('[data-release="v1.8.0"]');
  await shot('releases');
} finally {
  await browser.close();
  await h.close();
}
