// The CLI binary as users run it: exit codes, --help, --version, validate, schema, init.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'bin/slipway.js');
const dir = mkdtempSync(join(tmpdir(), 'slipway-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function slipway(args: string[], cwd = dir): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [bin, ...args],
      { cwd, env: { ...process.env, NO_COLOR: '1' }, timeout: 20_000 },
      (error, stdout, stderr) => {
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

describe('slipway CLI', { concurrency: true }, () => {
  test('--help lists the commands and the exit codes', async () => {
    const { code, stdout } = await slipway(['--help']);
    assert.equal(code, 0);
    for (const command of [
      'validate',
      'run',
      'runs',
      'logs',
      'approve',
      'reject',
      'cancel',
      'resume',
      'rerun',
      'events',
      'init',
      'schema',
      'demo',
    ]) {
      assert.match(stdout, new RegExp(`\\n  ${command}\\b`), command);
    }
    assert.match(stdout, /Exit codes: 0 ok, 1 the work failed, 2 usage or config error, 130 interrupted/);
  });

  test('a command --help lists its flags', async () => {
    const { code, stdout } = await slipway(['run', '--help']);
    assert.equal(code, 0);
    assert.match(stdout, /--job <id>/);
    assert.match(stdout, /--concurrency <n>/);
  });

  test('subcommands keep their declared options: defaults, required options, the hidden agent run', async () => {
    const deploy = await slipway(['deploy', '--help']);
    assert.equal(deploy.code, 0);
    assert.match(
      deploy.stdout,
      /--timeout <seconds>\s+how long new instances get to become ready \(default:\s+"120"\)/,
    );
    const create = await slipway(['token', 'create', '--role', 'admin']);
    assert.equal(create.code, 2);
    assert.equal(create.stderr, "error: required option '--name <name>' not specified\n");
    const agent = await slipway(['agent', '--help']);
    assert.equal(agent.code, 0);
    assert.match(agent.stdout, /\n {2}stop \[options\]/);
    assert.doesNotMatch(agent.stdout, /\n {2}run\b/);
  });

  test('--version prints the package version', async () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
    const { code, stdout } = await slipway(['--version']);
    assert.equal(code, 0);
    assert.equal(stdout.trim(), pkg.version);
  });

  test('an unknown command is a usage error (exit 2) with a suggestion', async () => {
    const { code, stderr } = await slipway(['valdate']);
    assert.equal(code, 2);
    assert.match(stderr, /Did you mean validate\?/);
  });

  test('validate: the spine snippet exits 0 with warnings only', async () => {
    const { code, stdout } = await slipway([
      'validate',
      '-f',
      join(root, 'test/fixtures/spine-snippet.yaml'),
    ]);
    assert.equal(code, 0, stdout);
    assert.match(stdout, /valid \(10 jobs in 4 stages; 3 warnings\)/);
  });

  test('validate: an invalid file exits 1 and prints compiler-style lines', async () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'jobs:\n  a: { run: x, timout: 5s }\n');
    const { code, stdout } = await slipway(['validate', '-f', 'bad.yaml']);
    assert.equal(code, 1);
    assert.match(
      stdout,
      /^bad\.yaml:2:16: error: jobs\.a\.timout: unknown key 'timout' \(did you mean 'timeout'\?\)$/m,
    );
  });

  test('validate --json gives one document with positioned diagnostics', async () => {
    const file = join(dir, 'bad2.yaml');
    writeFileSync(file, 'version: 3\n');
    const { code, stdout } = await slipway(['validate', '--json', '-f', file]);
    assert.equal(code, 1);
    const doc = JSON.parse(stdout) as {
      valid: boolean;
      diagnostics: { line: number; col: number; path: string }[];
    };
    assert.equal(doc.valid, false);
    assert.deepEqual(
      doc.diagnostics.map((d) => [d.line, d.col, d.path]),
      [[1, 10, 'version']],
    );
  });

  test('validate: a missing file is one line on stderr and exit 2, never a stack trace', async () => {
    const { code, stderr, stdout } = await slipway(['validate', '-f', 'nope.yaml']);
    assert.equal(code, 2);
    assert.equal(stdout, '');
    assert.equal(stderr.trim().split('\n').length, 1);
    assert.match(stderr, /^slipway: cannot read .*nope\.yaml: no such file$/m);
  });

  test('validate without -f looks for slipway.yaml then slipway.yml', async () => {
    const project = mkdtempSync(join(dir, 'yml-'));
    writeFileSync(join(project, 'slipway.yml'), 'jobs:\n  a: { run: "true" }\n');
    const { code, stdout } = await slipway(['validate'], project);
    assert.equal(code, 0);
    assert.match(stdout, /^slipway\.yml: valid/m);
    const empty = mkdtempSync(join(dir, 'none-'));
    const none = await slipway(['validate'], empty);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /no slipway\.yaml or slipway\.yml/);
  });

  test('schema prints the committed JSON Schema', async () => {
    const { code, stdout } = await slipway(['schema']);
    assert.equal(code, 0);
    const printed = JSON.parse(stdout) as Record<string, unknown>;
    const committed = JSON.parse(readFileSync(join(root, 'schema/slipway.schema.json'), 'utf8'));
    assert.deepEqual(printed, committed);
    assert.equal((printed.properties as Record<string, unknown>).jobs !== undefined, true);
  });

  test('init writes a starter from package.json scripts that validates, and refuses to overwrite', async () => {
    const project = mkdtempSync(join(dir, 'init-'));
    writeFileSync(
      join(project, 'package.json'),
      JSON.stringify({
        name: '@acme/shop',
        scripts: { build: 'tsc', test: 'node --test', lint: 'biome check' },
      }),
    );
    const first = await slipway(['init'], project);
    assert.equal(first.code, 0, first.stderr);
    const text = readFileSync(join(project, 'slipway.yaml'), 'utf8');
    assert.match(text, /name: shop/);
    assert.match(text, /run: npm run build/);
    assert.match(text, /run: npm test/);
    assert.match(text, /run: npm run lint/);
    const check = await slipway(['validate'], project);
    assert.equal(check.code, 0, check.stdout);
    const again = await slipway(['init'], project);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /already exists \(pass --force to overwrite\)/);
  });

  test('the README sample config validates', async () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const sample = /```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
    assert.ok(sample, 'README has a yaml sample');
    const file = join(dir, 'readme.yaml');
    writeFileSync(file, sample);
    const { code, stdout } = await slipway(['validate', '-f', file]);
    assert.equal(code, 0, stdout);
  });

  test('the example project config validates without warnings', async () => {
    const { code, stdout } = await slipway(['validate', '-f', join(root, 'examples/hello/slipway.yaml')]);
    assert.equal(code, 0, stdout);
    assert.doesNotMatch(stdout, /warning/);
  });

  test('run reuses a cached config only while the file is unchanged: an edit is checked again', async () => {
    const project = mkdtempSync(join(dir, 'cache-'));
    writeFileSync(join(project, 'slipway.yaml'), 'jobs:\n  a: { run: "echo first" }\n');
    const first = await slipway(['run'], project);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /a \| first/);
    const second = await slipway(['run'], project);
    assert.equal(second.code, 0, second.stderr);
    writeFileSync(join(project, 'slipway.yaml'), 'jobs:\n  a: { run: "echo first", tiemout: 5s }\n');
    const edited = await slipway(['run'], project);
    assert.equal(edited.code, 2);
    assert.match(edited.stderr, /slipway\.yaml:2:27: error: jobs\.a\.tiemout: unknown key 'tiemout'/);
    writeFileSync(join(project, 'slipway.yaml'), 'jobs:\n  a: { run: "echo second" }\n');
    const fixed = await slipway(['run'], project);
    assert.equal(fixed.code, 0, fixed.stderr);
    assert.match(fixed.stdout, /a \| second/);
  });
});
