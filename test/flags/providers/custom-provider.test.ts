/**
 * The command provider running a real shell script in a temporary config directory, which
 * appends how it was called (arguments, SLIPWAY_FLAG* variables, working directory) to a file:
 * the contract suite, then exactly what each share passes, that nothing is reinterpreted by the
 * shell, and failing, slow and unstartable commands.
 */
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CustomProvider, type CustomProviderOptions } from '../../../src/flags/providers/custom-provider.js';
import { isRunningState, readProcStat } from '../../../src/process/proc-stat.js';
import { describeProviderContract, rejects } from './provider-contract.js';

/** Records one run per block: `arg:` lines, the variables, the directory, then `end`. */
const SET_FLAG_SCRIPT = `#!/bin/sh
echo run >> runs.log
if [ -f fail-next ]; then
  rm fail-next
  echo "connecting to flags.internal"
  echo "error: the flag service answered 503" >&2
  exit 3
fi
for a in "$@"; do printf 'arg:%s\\n' "$a"; done >> calls.log
printf 'flag:%s\\nvariant:%s\\nbaseline:%s\\npercent:%s\\ntoken:%s\\ncwd:%s\\nend\\n' \\
  "$SLIPWAY_FLAG" "$SLIPWAY_FLAG_VARIANT" "$SLIPWAY_FLAG_BASELINE" "$SLIPWAY_FLAG_PERCENT" "$FLAG_TOKEN" "$PWD" >> calls.log
echo "set $3 to $5%"
`;

/** A config directory holding the script. */
function configDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-flag-command-'));
  writeFileSync(join(dir, 'set-flag.sh'), SET_FLAG_SCRIPT);
  chmodSync(join(dir, 'set-flag.sh'), 0o755);
  return dir;
}

/** The runs the script recorded, each as its lines. */
function recorded(dir: string): string[][] {
  const file = join(dir, 'calls.log');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('end\n')
    .filter((run) => run !== '')
    .map((run) => run.trimEnd().split('\n'));
}

function options(dir: string, extra: Partial<CustomProviderOptions> = {}): CustomProviderOptions {
  return {
    command: './set-flag.sh --service flags.internal',
    cwd: dir,
    env: { PATH: process.env.PATH, FLAG_TOKEN: 'flag-service-token' },
    timeoutMs: 10_000,
    ...extra,
  };
}

describeProviderContract('custom', async () => {
  const dir = configDir();
  const runs = () =>
    existsSync(join(dir, 'runs.log'))
      ? readFileSync(join(dir, 'runs.log'), 'utf8').split('\n').length - 1
      : 0;
  return {
    provider: new CustomProvider(options(dir)),
    flag: 'checkout',
    variant: 'one-page',
    defaultBaseline: 'off',
    otherVariant: 'classic',
    knowsVariants: false,
    secrets: [],
    served: async () => {
      const last = recorded(dir).at(-1) ?? [];
      const percent = Number(last.find((line) => line.startsWith('percent:'))?.slice('percent:'.length));
      return { variant: percent, baseline: 100 - percent };
    },
    calls: async () => runs(),
    failNext: () => writeFileSync(join(dir, 'fail-next'), ''),
    close: async () => rmSync(dir, { recursive: true, force: true }),
  };
});

describe('custom provider', () => {
  let dir: string;
  before(() => {
    dir = configDir();
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs the command in the config directory with the share as arguments and variables', async () => {
    const provider = new CustomProvider(options(dir));
    const { baseline } = await provider.prepare({
      flag: 'checkout',
      variant: 'one-page',
      baseline: 'classic',
    });
    assert.equal(recorded(dir).length, 0, 'prepare runs nothing');
    for (const percent of [0, 5, 50, 100, 0])
      await provider.setShare({ flag: 'checkout', variant: 'one-page', baseline }, percent);
    assert.deepEqual(
      recorded(dir),
      [0, 5, 50, 100, 0].map((percent) => [
        'arg:--service',
        'arg:flags.internal',
        'arg:checkout',
        'arg:one-page',
        `arg:${percent}`,
        'flag:checkout',
        'variant:one-page',
        'baseline:classic',
        `percent:${percent}`,
        'token:flag-service-token',
        `cwd:${dir}`,
      ]),
    );
  });

  it('passes names as they are: the shell expands nothing in them', async () => {
    const sub = configDir();
    try {
      const provider = new CustomProvider(options(sub));
      await provider.setShare(
        { flag: `it's "$HOME"`, variant: 'one page; rm -rf /', baseline: '$(off)' },
        12.5,
      );
      assert.deepEqual(recorded(sub), [
        [
          'arg:--service',
          'arg:flags.internal',
          `arg:it's "$HOME"`,
          'arg:one page; rm -rf /',
          'arg:12.5',
          `flag:it's "$HOME"`,
          'variant:one page; rm -rf /',
          'baseline:$(off)',
          'percent:12.5',
          'token:flag-service-token',
          `cwd:${sub}`,
        ],
      ]);
    } finally {
      rmSync(sub, { recursive: true, force: true });
    }
  });

  it('fails a share with the exit status and the end of the output of a failing command', async () => {
    writeFileSync(join(dir, 'fail-next'), '');
    const provider = new CustomProvider(options(dir));
    const error = await rejects(
      provider.setShare({ flag: 'checkout', variant: 'one-page', baseline: 'off' }, 5),
      'FLAG_PROVIDER_FAILED',
    );
    assert.match(
      error.message,
      /^the flag command setting 'one-page' of flag 'checkout' to 5% exited with 3; its output ended with:\n/,
    );
    assert.match(error.message, /connecting to flags\.internal\nerror: the flag service answered 503$/);
  });

  it('quotes only the end of a long output', async () => {
    const provider = new CustomProvider(
      options(dir, {
        command: 'i=0; while [ $i -lt 200 ]; do echo "line $i of the log"; i=$((i+1)); done; exit 1; :',
      }),
    );
    const error = await rejects(
      provider.setShare({ flag: 'checkout', variant: 'one-page', baseline: 'off' }, 5),
      'FLAG_PROVIDER_FAILED',
    );
    assert.match(error.message, /\n\.\.\.\nline \d+ of the log\n/);
    assert.match(error.message, /line 199 of the log$/);
    assert.ok(error.message.length < 800, `${error.message.length} characters`);
  });

  it('kills a command that runs past its timeout, with everything it started', async () => {
    const provider = new CustomProvider(
      options(dir, { command: 'sleep 30 & echo $! > child.pid; echo started; wait; :', timeoutMs: 300 }),
    );
    const started = performance.now();
    const error = await rejects(
      provider.setShare({ flag: 'checkout', variant: 'one-page', baseline: 'off' }, 5),
      'FLAG_PROVIDER_FAILED',
    );
    assert.ok(performance.now() - started < 5_000, 'it waited for the command');
    assert.match(
      error.message,
      /did not finish within 300 ms and was killed; its output ended with:\nstarted$/,
    );
    const child = Number(readFileSync(join(dir, 'child.pid'), 'utf8'));
    const stat = readProcStat(child);
    assert.ok(stat === undefined || !isRunningState(stat.state), `the background sleep ${child} still runs`);
  });

  it('says when the command cannot start', async () => {
    const provider = new CustomProvider(options(dir, { cwd: join(dir, 'no-such-dir') }));
    const error = await rejects(
      provider.setShare({ flag: 'checkout', variant: 'one-page', baseline: 'off' }, 5),
      'FLAG_PROVIDER_FAILED',
    );
    assert.match(error.message, /could not start/);
  });
});
