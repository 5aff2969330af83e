import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { readCachedConfig, writeCachedConfig } from './config-cache.js';
import { formatDiagnostic } from './diagnostic.js';
import { loadConfigFile, loadConfigText } from './load-config.js';

const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

// A project in a temp dir: slipway.yaml and the given files, loaded the way the CLI loads it.
function project(config: string, files: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-flags-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'slipway.yaml'), config);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  const result = loadConfigFile(join(dir, 'slipway.yaml'));
  return { dir, result, errors: result.diagnostics.map((d) => formatDiagnostic('slipway.yaml', d)) };
}

const errors = (text: string) =>
  loadConfigText(text).diagnostics.map((d) => formatDiagnostic('slipway.yaml', d));

const CHECKOUT = { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'off' };

test('flags: inline flags and source files (JSON and YAML) merge into one flag set', () => {
  const { result } = project(
    `flags:
  sources: [flags/*.json, "flags/**/*.yaml"]
  ofrep: { host: 0.0.0.0, port: 0 }
  flags:
    new-checkout: { state: ENABLED, variants: { on: true, off: false }, defaultVariant: off }
  metadata: { flagSetId: shop }
`,
    {
      'flags/banner.json': `{
  "$schema": "https://flagd.dev/schema/v0/flags.json",
  "flags": {
    "banner": {
      "state": "ENABLED",
      "variants": { "red": "#f00", "blue": "#00f" },
      "defaultVariant": "red",
      "targeting": { "if": [{ "$ref": "dutch" }, "blue", null] }
    }
  },
  "metadata": { "flagSetId": "shop" }
}
`,
      'flags/team/rules.yaml': `$evaluators:
  dutch: { in: [{ var: country }, [NL]] }
flags:
  limit:
    state: DISABLED
    variants: { low: 10, high: 100 }
    defaultVariant: low
`,
    },
  );
  assert.deepEqual(result.diagnostics, []);
  assert.deepEqual(result.config?.flags, {
    document: {
      flags: {
        'new-checkout': CHECKOUT,
        banner: {
          state: 'ENABLED',
          variants: { red: '#f00', blue: '#00f' },
          defaultVariant: 'red',
          targeting: { if: [{ $ref: 'dutch' }, 'blue', null] },
        },
        limit: { state: 'DISABLED', variants: { low: 10, high: 100 }, defaultVariant: 'low' },
      },
      $evaluators: { dutch: { in: [{ var: 'country' }, ['NL']] } },
      metadata: { flagSetId: 'shop' },
    },
    ofrep: { host: '0.0.0.0', port: 0 },
    declaredIn: {
      'new-checkout': 'slipway.yaml',
      banner: 'flags/banner.json',
      limit: 'flags/team/rules.yaml',
    },
  });
  assert.deepEqual(Object.keys(result.inputs?.files ?? {}), ['flags/banner.json', 'flags/team/rules.yaml']);
});

test('flags: OFREP defaults to 127.0.0.1:8016; without flags: there are none', () => {
  const { config } = loadConfigText('flags:\n  flags:\n    a: { state: ENABLED, variants: { x: 1 } }\n');
  assert.deepEqual(config?.flags, {
    document: { flags: { a: { state: 'ENABLED', variants: { x: 1 } } } },
    ofrep: { host: '127.0.0.1', port: 8016 },
    declaredIn: { a: 'slipway.yaml' },
  });
  assert.equal(loadConfigText('version: 1\n').config?.flags, undefined);
  assert.equal(loadConfigText('version: 1\n').inputs, undefined);
});

test('flags: inline flags are checked against flagd schema at their line and column', () => {
  assert.deepEqual(
    errors(`flags:
  flags:
    a: { state: ENABLED, variants: { on: true, off: false }, defaultVariant: of }
    b:
      variants: { on: true }
    c: { state: ENABLED, variants: { on: true, off: 0 }, defaultVariant: on }
    d: { state: ENABLED, variants: { on: true }, targeting: { if: [{ $ref: staf }, on, null] } }
  $evaluators:
    staff: { bogus: [1] }
`),
    [
      "slipway.yaml:3:78: error: flags.flags.a.defaultVariant: default variant 'of' is not one of the variants of 'a' (on, off)",
      "slipway.yaml:4:5: error: flags.flags.b: missing 'state'",
      'slipway.yaml:6:53: error: flags.flags.c.variants.off: must be boolean',
      "slipway.yaml:7:76: error: flags.flags.d.targeting.if[0].$ref: '$ref' names no evaluator 'staf' ($evaluators: staff)",
      "slipway.yaml:9:14: error: flags.$evaluators.staff.bogus: unknown key 'bogus'",
    ],
  );
});

test('flags: a problem inside a JSON source is reported at its file, line and column', () => {
  const { errors: found } = project('flags:\n  sources: [flags/*.json]\n', {
    'flags/checkout.json': `{
  "flags": {
    "new-checkout": {
      "state": "ENABLED",
      "variants": { "on": true, "off": false },
      "defaultVariant": "of"
    }
  }
}
`,
  });
  assert.deepEqual(found, [
    "flags/checkout.json:6:25: error: flags.new-checkout.defaultVariant: default variant 'of' is not one of the variants of 'new-checkout' (on, off)",
  ]);
});

test('flags: a problem inside a YAML source is reported at its file, line and column', () => {
  const { errors: found } = project('flags:\n  sources: [flags/*.yaml]\n', {
    'flags/checkout.yaml': `flags:
  new-checkout:
    state: ON
    variants: { on: true, off: false }
    defaultVariant: off
`,
  });
  assert.deepEqual(found, [
    'flags/checkout.yaml:3:12: error: flags.new-checkout.state: must be one of "ENABLED", "DISABLED"',
  ]);
});

test('flags: a glob matching nothing, a file that does not parse, and a file that is no flag document', () => {
  const { errors: found } = project(
    `flags:
  sources:
    - flags/*.json
    - missing/*.json
    - other/*.yaml
`,
    {
      'flags/broken.json': '{\n  "flags": {\n    "a": { "state": "ENABLED",, }\n  }\n}\n',
      'flags/list.json': '[1, 2]\n',
      'flags/empty.json': '',
      'other/typo.yaml': 'flgas:\n  a: { state: ENABLED, variants: { on: true } }\n',
    },
  );
  assert.equal(found.length, 6, found.join('\n'));
  assert.deepEqual(found.slice(0, 1), [
    "slipway.yaml:4:7: error: flags.sources[1]: 'missing/*.json' matches no file (sources are relative to the config file's directory)",
  ]);
  assert.match(found[1]!, /^flags\/broken\.json:3:31: error: YAML syntax: /);
  assert.deepEqual(found.slice(2), [
    'flags/empty.json:1:1: error: a flag file holds a flagd flag document, a mapping with `flags`: the file is empty',
    'flags/list.json:1:1: error: a flag file holds a flagd flag document, a mapping with `flags`: got a list',
    "other/typo.yaml:1:1: error: flgas: unknown key 'flgas' (did you mean 'flags'?) (a flag file holds `flags`, `$evaluators` and `metadata`)",
    "other/typo.yaml:1:1: error: missing 'flags'",
  ]);
});

test('flags: a flag or evaluator declared twice is an error naming both places', () => {
  const flag = (key: string) =>
    `{ "flags": { "${key}": { "state": "ENABLED", "variants": { "on": true }, "defaultVariant": "on" } } }\n`;
  const { errors: found } = project(
    `flags:
  sources: [flags/*.json, flags/*.yaml]
  flags:
    new-checkout: { state: ENABLED, variants: { on: true }, defaultVariant: on }
  $evaluators:
    dutch: { in: [{ var: country }, [NL]] }
  metadata: { version: "1" }
`,
    {
      'flags/a.json': flag('banner'),
      'flags/b.json': flag('banner'),
      'flags/c.yaml': `flags:
  new-checkout: { state: ENABLED, variants: { on: true }, defaultVariant: on }
$evaluators:
  dutch: { in: [{ var: country }, [BE]] }
metadata: { version: "2" }
`,
    },
  );
  assert.deepEqual(found, [
    "flags/b.json:1:14: error: flags.banner: flag 'banner' is already declared at flags/a.json:1:14",
    "flags/c.yaml:2:3: error: flags.new-checkout: flag 'new-checkout' is already declared at slipway.yaml:4:5",
    "flags/c.yaml:4:3: error: $evaluators.dutch: evaluator 'dutch' is already declared at slipway.yaml:6:5",
    'flags/c.yaml:5:22: error: metadata.version: metadata \'version\' is "2" here but "1" at slipway.yaml:7:15',
  ]);
});

test('flags: sources stay inside the project; settings are checked by the schema', () => {
  assert.deepEqual(
    errors(`flags:
  sources: [/etc/flags/*.json, ../shared/*.json]
  ofrep: { port: 70000 }
  flag: {}
`),
    [
      "slipway.yaml:2:13: error: flags.sources[0]: a source is relative to the config file's directory, not an absolute path",
      "slipway.yaml:2:32: error: flags.sources[1]: a source stays inside the config file's directory: no '..'",
      'slipway.yaml:3:18: error: flags.ofrep.port: must be at most 65535, got number 70000',
      "slipway.yaml:4:3: error: flags.flag: unknown key 'flag' (did you mean 'flags'?)",
    ],
  );
});

test('flags: the config cache is not read once a flag file changes, or a glob matches another', async () => {
  const { dir, result } = project('flags:\n  sources: [flags/*.json]\n', {
    'flags/a.json': '{ "flags": {} }\n',
  });
  assert.ok(result.config && result.inputs);
  writeCachedConfig(dir, 'k', { config: result.config, diagnostics: [], inputs: result.inputs });
  assert.ok(await readCachedConfig(dir, 'k'), 'unchanged: the cache is read');
  writeFileSync(join(dir, 'flags/a.json'), '{ "flags": { } }\n');
  assert.equal(await readCachedConfig(dir, 'k'), undefined, 'a changed file misses');
  writeCachedConfig(dir, 'k', { config: result.config, diagnostics: [], inputs: result.inputs });
  writeFileSync(join(dir, 'flags/a.json'), '{ "flags": {} }\n');
  writeFileSync(join(dir, 'flags/b.json'), '{ "flags": {} }\n');
  assert.equal(await readCachedConfig(dir, 'k'), undefined, 'a new file misses');
  writeCachedConfig(dir, 'other', { config: result.config, diagnostics: [] });
  assert.equal(await readCachedConfig(dir, 'other'), undefined, 'flags without inputs are not cached');
});
