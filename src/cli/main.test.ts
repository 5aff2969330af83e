// Unit tests of the assembled command tree: declarations parse into typed options, local-only
// paths name real commands, and the families load no code before a command runs.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { CommandUnknownOpts } from '@commander-js/extra-typings';
import type { ParsedCommand, RunCommand } from './command-runner.js';
import type { CliIo } from './context.js';
import { assembleProgram } from './main.js';
import { commandPath, LOCAL_ONLY_COMMANDS } from './remote/command-policy.js';

const silent = (): Writable =>
  new Writable({
    write(_chunk, _encoding, done) {
      done();
    },
  });
const io: CliIo = { cwd: '/nowhere', env: {}, stdout: silent(), stderr: silent() };

/** Parses `argv` and returns the command the runner was handed, without running its handler. */
async function parse(argv: readonly string[]): Promise<ParsedCommand> {
  let parsed: ParsedCommand | undefined;
  const run: RunCommand = async (command) => {
    parsed = command;
  };
  await assembleProgram(io, run).parseAsync([...argv], { from: 'user' });
  assert.ok(parsed, `no command ran for ${argv.join(' ')}`);
  return parsed;
}

function allPaths(command: CommandUnknownOpts): string[] {
  return command.commands.flatMap((sub) => [commandPath(sub), ...allPaths(sub)]);
}

test('options arrive typed, with their defaults and the global options', async () => {
  const deploy = await parse(['--json', 'deploy', 'api', '--env', 'prod', '--queue']);
  assert.equal(commandPath(deploy), 'deploy');
  assert.deepEqual(deploy.processedArgs, ['api']);
  assert.deepEqual({ ...deploy.opts() }, { env: 'prod', timeout: '120', queue: true });
  assert.equal(deploy.optsWithGlobals().json, true);

  const stop = await parse(['-f', 'other.yaml', 'agent', 'stop', '--keep-instances']);
  assert.equal(commandPath(stop), 'agent stop');
  assert.deepEqual({ ...stop.opts() }, { keepInstances: true });
  assert.equal(stop.optsWithGlobals().file, 'other.yaml');

  const events = await parse(['events', '--type', 'service.deployed', 'taskrun.finished']);
  assert.deepEqual({ ...events.opts() }, { type: ['service.deployed', 'taskrun.finished'], limit: '200' });

  const logs = await parse(['logs', '12']);
  assert.deepEqual(logs.processedArgs, ['12', undefined]);
  assert.deepEqual({ ...logs.opts() }, { lines: '100' });
});

test('every local-only path in the policy table names a declared command', () => {
  const paths = new Set(allPaths(assembleProgram(io, async () => {})));
  for (const path of LOCAL_ONLY_COMMANDS) assert.ok(paths.has(path), `'${path}' is not a command`);
  assert.ok(paths.has('project add') && paths.has('agent run') && paths.has('release show'));
});

test('command families load nothing at runtime but their handler modules, dynamically', () => {
  const dir = join(fileURLToPath(new URL('.', import.meta.url)), 'families');
  const files = readdirSync(dir).filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts'));
  assert.ok(files.length >= 7);
  for (const name of files) {
    const text = readFileSync(join(dir, name), 'utf8');
    const statics = [...text.matchAll(/^import\s+(?!type\s)[^;]*?from\s+'([^']+)'/gm)].map((m) => m[1]);
    assert.deepEqual(statics, [], `${name} loads ${statics.join(', ')} before its command runs`);
    assert.match(text, /import\('\.\.\/commands\/[a-z-]+\.js'\)/, `${name} declares no handler`);
  }
});
