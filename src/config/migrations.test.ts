import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatDiagnostic } from './diagnostic.js';
import { loadConfigText } from './load-config.js';

const service = (migrations: string) => `services:
  web:
    run: node server.js
    migrations: ${migrations}
`;

test('migrations: commands as written, contractAfter and timeout in ms with their defaults', () => {
  const { config, diagnostics } = loadConfigText(
    service(
      '{ expand: psql -f expand.sql, contract: npx knex migrate:up contract, down: ./down.sh, contractAfter: 1h }',
    ),
  );
  assert.deepEqual(diagnostics, []);
  assert.deepEqual(config?.services.web?.migrations, {
    expand: 'psql -f expand.sql',
    contract: 'npx knex migrate:up contract',
    down: './down.sh',
    contractAfterMs: 3_600_000,
    timeoutMs: 1_800_000,
  });
  const defaults = loadConfigText(service('{ expand: ./expand.sh }')).config?.services.web?.migrations;
  assert.deepEqual(defaults, { expand: './expand.sh', contractAfterMs: 600_000, timeoutMs: 1_800_000 });
  assert.equal(
    loadConfigText(service('{ expand: x }').replace('    migrations: { expand: x }\n', '')).config?.services
      .web?.migrations,
    undefined,
  );
});

test('migrations: expand or contract is required; keys and durations are checked', () => {
  const render = (text: string) =>
    loadConfigText(text).diagnostics.map((d) => formatDiagnostic('slipway.yaml', d));
  assert.deepEqual(render(service('{ down: ./down.sh }')), [
    'slipway.yaml:4:5: error: services.web.migrations: needs `expand` or `contract` (or both)',
  ]);
  const wrong = render(service('{ expand: x, contractAfter: soon, up: y }')).join('\n');
  assert.match(wrong, /invalid duration 'soon'/);
  assert.match(wrong, /up/);
});
