// `slipway flags` as users run it, in a temp project with declared flags: the round trip of every
// change (each a version), bad input refused with nothing recorded, and the JSON shapes.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'bin/slipway.js');

const CONFIG = `version: 1
project: { name: flagged }
jobs:
  build: { run: echo built }
pipeline:
  stages:
    - name: ci
      parallel: [build]
flags:
  ofrep: { port: 0 }
  flags:
    new-checkout:
      state: ENABLED
      variants: { on: true, off: false }
      defaultVariant: "off"
    theme:
      state: ENABLED
      variants: { light: light, dark: dark }
      defaultVariant: light
`;

interface Result {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

describe('slipway flags', () => {
  let dir: string;
  const slipway = (...args: string[]): Promise<Result> =>
    new Promise((resolve) => {
      execFile(
        process.execPath,
        [bin, ...args],
        {
          cwd: dir,
          env: { PATH: process.env.PATH, HOME: dir, NO_COLOR: '1', SLIPWAY_ACTOR: 'alice' },
          timeout: 30_000,
        },
        (error, stdout, stderr) =>
          resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });
  const json = async (...args: string[]) => {
    const result = await slipway('--json', ...args);
    assert.equal(result.code, 0, result.stderr);
    return JSON.parse(result.stdout);
  };
  const versions = async (flag: string): Promise<number> =>
    (await json('flags', 'history', flag)).versions.length;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'slipway-flags-'));
    writeFileSync(join(dir, 'slipway.yaml'), CONFIG);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('list shows the declared flags, synced into the store as version 1', async () => {
    const { code, stdout, stderr } = await slipway('flags', 'list');
    assert.equal(code, 0, stderr);
    assert.match(stdout, /^FLAG +STATE +DEFAULT +VARIANTS +VERSION +LAST CHANGE$/m);
    assert.match(
      stdout,
      /^new-checkout +ENABLED +off +on,off +1 +alice \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \(declared\)$/m,
    );
    assert.match(stdout, /^theme +ENABLED +light +light,dark +1 /m);
  });

  test('set, weights, disable, enable, a definition file and rollbacks each record a version', async () => {
    const set = await slipway('flags', 'set', 'new-checkout', 'on');
    assert.equal(set.code, 0, set.stderr);
    assert.match(set.stdout, /^flag new-checkout: version 2 \(set\), flag set version \d+$/m);
    // No agent runs in the temp project: nothing is published, and that is no error.
    assert.match(set.stdout, /^not published: no agent is running here$/m);

    const weights = await slipway('flags', 'set', 'new-checkout', '--weights', 'on=5,off=95');
    assert.equal(weights.code, 0, weights.stderr);
    assert.match(weights.stdout, /version 3 \(weights\)/);
    assert.equal((await slipway('flags', 'disable', 'new-checkout')).code, 0);
    const enable = await slipway('flags', 'enable', 'new-checkout');
    assert.match(enable.stdout, /version 5 \(enable\)/);
    const noop = await slipway('flags', 'enable', 'new-checkout');
    assert.equal(noop.code, 0, noop.stderr);
    assert.match(noop.stdout, /nothing recorded/);
    assert.equal(await versions('new-checkout'), 5);

    mkdirSync(join(dir, 'defs'), { recursive: true });
    writeFileSync(
      join(dir, 'defs', 'theme.json'),
      JSON.stringify({
        state: 'ENABLED',
        variants: { light: 'light', dark: 'dark', sepia: 'sepia' },
        defaultVariant: 'sepia',
      }),
    );
    const defined = await slipway(
      '-f',
      'slipway.yaml',
      'flags',
      'set',
      'theme',
      '--definition',
      'defs/theme.json',
    );
    assert.equal(defined.code, 0, defined.stderr);
    assert.match(defined.stdout, /flag theme: version 2 \(define\)/);
    assert.equal((await json('flags', 'get', 'theme')).definition.defaultVariant, 'sepia');

    const back = await slipway('flags', 'rollback', 'theme');
    assert.equal(back.code, 0, back.stderr);
    assert.match(back.stdout, /flag theme: version 3 \(rollback\)/);
    assert.equal((await json('flags', 'get', 'theme')).definition.defaultVariant, 'light');
    const to = await slipway('flags', 'rollback', 'new-checkout', '--to', '2');
    assert.equal(to.code, 0, to.stderr);
    const now = await json('flags', 'get', 'new-checkout');
    assert.equal(now.version, 6);
    assert.deepEqual(now.definition, {
      state: 'ENABLED',
      variants: { on: true, off: false },
      defaultVariant: 'on',
    });

    const history = await slipway('flags', 'history', 'new-checkout');
    assert.equal(history.code, 0, history.stderr);
    const lines = history.stdout.trim().split('\n');
    assert.equal(lines.length, 6);
    assert.match(
      lines[0] ?? '',
      /^v1 .* alice +declared \(config\) +created: ENABLED, default off, variants on, off$/,
    );
    assert.match(lines[1] ?? '', /^v2 .* set \(cli\) +default off -> on$/);
    assert.match(lines[2] ?? '', /^v3 .* weights \(cli\) +targeting none -> weights on=5,off=95$/);
    assert.match(lines[3] ?? '', /^v4 .* disable \(cli\) +state ENABLED -> DISABLED$/);
    assert.match(lines[4] ?? '', /^v5 .* enable \(cli\) +state DISABLED -> ENABLED$/);
    assert.match(lines[5] ?? '', /^v6 .* rollback \(cli\) +targeting weights on=5,off=95 -> none$/);
  });

  test('bad input exits 2 with a clear message and records nothing', async () => {
    const before = await versions('new-checkout');
    writeFileSync(
      join(dir, 'bad.json'),
      JSON.stringify({ state: 'ENABLED', variants: { on: true }, defaultVariant: 'off' }),
    );
    writeFileSync(join(dir, 'broken.json'), '{"state": ');
    const cases: [string[], RegExp][] = [
      [['flags', 'set', 'nope', 'on'], /no flag 'nope' \(flags: .*new-checkout/],
      [
        ['flags', 'set', 'new-checkout', 'purple'],
        /flag 'new-checkout' has no variant 'purple' \(variants: on, off\)/,
      ],
      [['flags', 'set', 'new-checkout', '--weights', 'on=lots'], /'on=lots' is not variant=weight/],
      [['flags', 'set', 'new-checkout', '--weights', 'on=5,blue=95'], /has no variant 'blue'/],
      [
        ['flags', 'set', 'new-checkout', '--definition', 'bad.json'],
        /would not be a valid flagd definition: .*'off'/,
      ],
      [['flags', 'set', 'new-checkout', '--definition', 'broken.json'], /broken\.json is not JSON/],
      [['flags', 'set', 'new-checkout'], /exactly one of/],
      [['flags', 'set', 'new-checkout', 'on', '--weights', 'on=1'], /exactly one of/],
      [['flags', 'rollback', 'new-checkout', '--to', '42'], /flag 'new-checkout' has no version 42/],
      [['flags', 'rollback', 'new-checkout', '--to', 'two'], /--to must be a version number/],
      [['flags', 'enable', 'nope'], /no flag 'nope'/],
      [['flags', 'get', 'nope'], /no flag 'nope'/],
      [['flags', 'history', 'nope'], /no flag 'nope'/],
    ];
    for (const [args, message] of cases) {
      const { code, stdout, stderr } = await slipway(...args);
      assert.equal(code, 2, `${args.join(' ')}: ${stdout}${stderr}`);
      assert.match(stderr, message, args.join(' '));
      assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace');
    }
    assert.equal(await versions('new-checkout'), before);
  });

  test('--json prints one document per command, in the API shapes', async () => {
    const list = await json('flags', 'list');
    assert.equal(typeof list.version, 'number');
    const checkout = list.flags.find((f: { key: string }) => f.key === 'new-checkout');
    assert.deepEqual(Object.keys(checkout).sort(), [
      'defaultVariant',
      'key',
      'lastChange',
      'state',
      'targeting',
      'variants',
      'version',
    ]);
    assert.deepEqual(checkout.variants, ['on', 'off']);
    assert.deepEqual(Object.keys(checkout.lastChange).sort(), ['actor', 'change', 'source', 'time']);
    assert.equal(checkout.lastChange.actor, 'alice');

    const get = await json('flags', 'get', 'new-checkout');
    assert.deepEqual(Object.keys(get).sort(), ['definition', 'key', 'lastChange', 'version']);

    const history = await json('flags', 'history', 'new-checkout');
    assert.equal(history.key, 'new-checkout');
    assert.deepEqual(Object.keys(history.versions[1]).sort(), [
      'actor',
      'change',
      'definition',
      'diff',
      'source',
      'time',
      'version',
    ]);
    assert.deepEqual(history.versions[1].diff, ['default off -> on']);

    const set = await json('flags', 'set', 'new-checkout', '--weights', 'on=50,off=50');
    assert.equal(set.key, 'new-checkout');
    assert.equal(set.changed, true);
    assert.equal(set.change, 'weights');
    assert.equal(set.version, history.versions.length + 1);
    assert.deepEqual(set.served, {
      version: set.served.version,
      published: [],
      note: 'no agent is running here',
    });
    const listed = (await json('flags', 'list')).flags.find((f: { key: string }) => f.key === 'new-checkout');
    assert.equal(listed.weights, 'on=50,off=50');
    assert.equal(listed.targeting, true);
  });
});
