import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatDiagnostic } from './diagnostic.js';
import { loadConfigText } from './load-config.js';

const service = (extra: string) => `version: 1
services:
  web:
    run: node server.js
    env: { A: '1' }
${extra}
`;

test('service secrets: names resolve once each; absent without `secrets`', () => {
  const result = loadConfigText(service('    secrets: [DB_PASSWORD, API_KEY, DB_PASSWORD]'));
  assert.deepEqual(result.diagnostics, []);
  assert.deepEqual(result.config?.services.web?.secrets, ['DB_PASSWORD', 'API_KEY']);
  assert.equal(loadConfigText(service('')).config?.services.web?.secrets, undefined);
});

test('service secrets: a name also in env, one Slipway sets, or not a variable name is an error at its place', () => {
  const messages = loadConfigText(
    service('    secrets: [A, PORT, SLIPWAY_REVISION, 9lives]'),
  ).diagnostics.map((d) => formatDiagnostic('slipway.yaml', d));
  assert.ok(
    messages.some((m) => /:6:\d+: .*must be an environment variable name/.test(m)),
    messages.join('\n'),
  );
  const rules = loadConfigText(service('    secrets: [A, PORT, SLIPWAY_REVISION]')).diagnostics.map((d) =>
    formatDiagnostic('slipway.yaml', d),
  );
  assert.equal(rules.length, 3, rules.join('\n'));
  assert.match(rules[0] ?? '', /^slipway\.yaml:6:\d+: .*A is both in `env` and in `secrets`/);
  assert.match(rules[1] ?? '', /PORT is set by Slipway for every instance and cannot be a secret/);
  assert.match(rules[2] ?? '', /SLIPWAY_REVISION is set by Slipway/);
});
