import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadConfigText } from './load-config.js';

const SERVICES = 'services:\n  web: { run: node server.js }\n';

describe('gitops: in slipway.yaml', () => {
  test('the seed block resolves with its defaults; a path is kept without its slashes', () => {
    const { config, diagnostics } = loadConfigText(
      `${SERVICES}gitops:\n  repository: { url: 'ssh://git@example.com/acme/deploy.git', branch: main, path: /k8s/manifests/ }\n  sync: { interval: 3m, prune: true, selfHeal: true }\n`,
    );
    assert.deepEqual(diagnostics, []);
    assert.deepEqual(config?.gitops, {
      repository: { url: 'ssh://git@example.com/acme/deploy.git', branch: 'main', path: 'k8s/manifests' },
      sync: { intervalMs: 180_000, prune: true, selfHeal: true, parallel: 4 },
    });
    const plain = loadConfigText(`${SERVICES}gitops:\n  repository: { url: ../deploy }\n`);
    assert.deepEqual(plain.config?.gitops, {
      repository: { url: '../deploy', branch: 'main', path: '' },
      sync: { intervalMs: 180_000, prune: false, selfHeal: false, parallel: 4 },
    });
    assert.equal(loadConfigText(SERVICES).config?.gitops, undefined, 'no gitops: no section');
  });

  test('a URL git cannot fetch, an interval under 10s and a path going up are errors at their place', () => {
    const { config, diagnostics } = loadConfigText(
      `${SERVICES}gitops:\n  repository: { url: 's3://bucket/x', path: ../up }\n  sync: { interval: 5s }\n`,
    );
    assert.equal(config, undefined);
    assert.deepEqual(
      diagnostics.map((d) => [d.line, d.col, d.message.split(' (')[0]]),
      [
        [4, 22, 'git cannot fetch a s3:// URL'],
        [4, 45, 'may not go up with ..'],
        [5, 21, 'must be at least 10s'],
      ],
    );
  });

  test('scp-like addresses, git, http(s) and file URLs are accepted; an option-like URL is not', () => {
    for (const url of [
      'git@github.com:acme/deploy.git',
      'https://github.com/acme/deploy',
      'file:///srv/deploy.git',
      'git://host/x',
    ]) {
      assert.deepEqual(
        loadConfigText(`${SERVICES}gitops:\n  repository: { url: '${url}' }\n`).diagnostics,
        [],
        url,
      );
    }
    const dashed = loadConfigText(`${SERVICES}gitops:\n  repository: { url: '--upload-pack=x' }\n`);
    assert.match(dashed.diagnostics[0]?.message ?? '', /may not start with -/);
  });
});

describe('services.<id>.dependsOn (the order of GitOps syncs)', () => {
  const yaml = (api: string, db = '') =>
    `services:\n  api: { run: node api.js${api} }\n  db: { run: node db.js${db} }\n  web: { run: node web.js }\n`;

  test('resolves in the service, without duplicates; absent when not written', () => {
    const { config, diagnostics } = loadConfigText(yaml(', dependsOn: [db, db]'));
    assert.deepEqual(diagnostics, []);
    assert.deepEqual(config?.services.api?.dependsOn, ['db']);
    assert.equal(config?.services.db?.dependsOn, undefined);
  });

  test('an unknown service, the service itself and a cycle are errors at their place', () => {
    const unknown = loadConfigText(yaml(', dependsOn: [dbb]'));
    assert.deepEqual(
      unknown.diagnostics.map((d) => [d.line, d.message]),
      [[2, "dependsOn unknown service 'dbb' (did you mean 'db'?)"]],
    );
    const self = loadConfigText(yaml(', dependsOn: [api]'));
    assert.match(self.diagnostics[0]?.message ?? '', /cannot depend on itself/);
    const cycle = loadConfigText(yaml(', dependsOn: [db]', ', dependsOn: [api]'));
    assert.equal(cycle.diagnostics.length, 1, JSON.stringify(cycle.diagnostics));
    assert.match(
      cycle.diagnostics[0]?.message ?? '',
      /dependsOn makes a cycle: (api -> db -> api|db -> api -> db)/,
    );
  });
});

test('a repository token is the name of a secret, for http(s) repositories only', () => {
  const at = (repository: string) =>
    loadConfigText(`gitops:\n  repository: ${repository}\n`).diagnostics.map((d) => d.message);
  assert.deepEqual(at("{ url: 'https://github.com/acme/deploy.git', token: GITOPS_TOKEN }"), []);
  assert.match(
    at("{ url: 'https://github.com/acme/deploy.git', token: 'ghp_x y' }")[0] ?? '',
    /name of a secret/,
  );
  assert.match(
    at("{ url: 'ssh://git@github.com/acme/deploy.git', token: GITOPS_TOKEN }")[0] ?? '',
    /http:\/\/ and https:\/\/ repositories only/,
  );
});

test('gitops.notifications: channels by kind, secrets by name; an unknown channel is an error at its place', () => {
  const { config, diagnostics } = loadConfigText(
    [
      'gitops:',
      '  repository: { url: ../deploy }',
      '  notifications:',
      '    slack: { webhook: SLACK_WEBHOOK_URL, triggers: [sync.failed] }',
      '    github: { repository: acme/deploy, token: GITHUB_TOKEN }',
      '',
    ].join('\n'),
  );
  assert.deepEqual(diagnostics, []);
  assert.deepEqual(config?.gitops?.notifications?.slack, {
    webhook: 'SLACK_WEBHOOK_URL',
    triggers: ['sync.failed'],
    timeoutMs: 10_000,
  });
  assert.equal(config?.gitops?.notifications?.github?.baseUrl, 'https://api.github.com');
  const unknown = loadConfigText(
    'gitops:\n  repository: { url: ../deploy }\n  notifications:\n    teams: {}\n',
  );
  assert.deepEqual(
    unknown.diagnostics.map((d) => [d.line, d.col, d.message.split(' (')[0]]),
    [[4, 5, "unknown key 'teams'"]],
  );
  const inline = loadConfigText(
    "gitops:\n  repository: { url: ../deploy }\n  notifications:\n    slack: { webhook: 'https://hooks.slack.com/services/T0/B0/x' }\n",
  );
  assert.match(inline.diagnostics[0]?.message ?? '', /the name of a secret/);
});
