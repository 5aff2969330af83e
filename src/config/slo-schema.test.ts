import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatDiagnostic } from './diagnostic.js';
import { loadConfigText } from './load-config.js';
import { DEFAULT_SLO } from './slo-schema.js';

const errors = (text: string) =>
  loadConfigText(text)
    .diagnostics.filter((d) => d.severity === 'error')
    .map((d) => formatDiagnostic('slipway.yaml', d));

test('slo: targets resolve to fractions and milliseconds; unset ones keep their defaults', () => {
  const { config } = loadConfigText('version: 1\nslo:\n  deploySuccessRate: 95%\n  rollbackTime: 90s\n');
  assert.deepEqual(config?.slo, { ...DEFAULT_SLO, deploySuccessRate: 0.95, rollbackTimeMs: 90_000 });
  assert.equal(loadConfigText('version: 1\n').config?.slo, undefined, 'without slo: the defaults apply');
});

test('a malformed target or an unknown one is an error at its line and column', () => {
  assert.deepEqual(errors('version: 1\nslo:\n  rollbackTime: soon\n'), [
    "slipway.yaml:3:17: error: slo.rollbackTime: invalid duration 'soon' (write e.g. 500ms, 30s, 10m, 1h30m)",
  ]);
  const unknown = errors('version: 1\nslo:\n  leadTime: 1h\n');
  assert.equal(unknown.length, 1);
  assert.match(unknown[0]!, /^slipway\.yaml:3:3: error: slo.leadTime: unknown key 'leadTime'/);
});
