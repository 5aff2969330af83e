import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { RUNNERS, TEST_ENV } from '../../../test/helpers/process-runners.js';
import type { OutputStream, RunProcessOptions } from './process-result.js';
import type { ProcessRunner } from './process-runner.js';

const dir = realpathSync(mkdtempSync(join(tmpdir(), 'slipway-run-process-')));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `command` and collects its output per stream. */
async function run(runner: ProcessRunner, command: string, overrides: Partial<RunProcessOptions> = {}) {
  const output: Record<OutputStream, string[]> = { stdout: [], stderr: [] };
  const result = await runner.run({
    command,
    cwd: dir,
    env: TEST_ENV,
    onOutput: (stream, chunk) => output[stream].push(chunk),
    ...overrides,
  });
  return { result, stdout: output.stdout.join(''), stderr: output.stderr.join(''), chunks: output };
}

for (const [kind, make] of RUNNERS) {
  const runner = make();
  after(() => runner.close());
  describe(`runProcess (${kind})`, { concurrency: true }, () => {
    test('a successful command reports exit code 0 and both streams', async () => {
      const { result, stdout, stderr } = await run(runner, 'echo hello; echo oops >&2');
      assert.equal(result.status, 'succeeded');
      assert.ok(result.status === 'succeeded');
      assert.equal(result.exitCode, 0);
      assert.ok(Number.isInteger(result.pid) && result.pid > 0);
      assert.ok(result.durationMs >= 0);
      assert.equal(stdout, 'hello\n');
      assert.equal(stderr, 'oops\n');
    });

    test('the job gets exactly the given env and cwd', async () => {
      const { stdout } = await run(runner, 'echo "$FOO:$(pwd):${HOME-unset}"', {
        env: { ...TEST_ENV, FOO: 'bar' },
      });
      assert.equal(stdout, `bar:${dir}:unset\n`);
    });

    test('a non-zero exit code is propagated', async () => {
      const { result } = await run(runner, 'exit 3');
      assert.deepEqual(
        { ...result, durationMs: 0, pid: 0 },
        {
          status: 'failed',
          exitCode: 3,
          signal: null,
          pid: 0,
          durationMs: 0,
        },
      );
    });

    test('runs with -e: the first failing command stops the script', async () => {
      const { result, stdout } = await run(runner, 'false; echo unreachable');
      assert.equal(result.status, 'failed');
      assert.ok(result.status === 'failed' && result.exitCode === 1);
      assert.equal(stdout, '');
    });

    test('runs with pipefail: a failure inside a pipeline fails it', async () => {
      const { result } = await run(runner, 'false | true');
      assert.ok(result.status === 'failed' && result.exitCode === 1, JSON.stringify(result));
    });

    test('a shell killed by a signal is failed with that signal', async () => {
      const { result } = await run(runner, 'kill -KILL $$');
      assert.ok(result.status === 'failed', JSON.stringify(result));
      assert.equal(result.exitCode, null);
      assert.equal(result.signal, 'SIGKILL');
    });

    test('a command that is not found fails with 127', async () => {
      const { result, stderr } = await run(runner, 'definitely-not-a-command-7f3a');
      assert.ok(result.status === 'failed' && result.exitCode === 127, JSON.stringify(result));
      assert.match(stderr, /command not found/);
    });

    test('a missing cwd is spawn_failed, not an exception', async () => {
      const missing = join(dir, 'does-not-exist');
      const { result } = await run(runner, 'echo hi', { cwd: missing });
      assert.ok(result.status === 'spawn_failed', JSON.stringify(result));
      assert.equal(result.reason, 'cwd_missing');
      assert.ok(result.message.includes(missing));
      assert.equal('pid' in result, false);
    });

    test('a cwd that is a file is spawn_failed', async () => {
      const file = join(dir, 'a-file');
      writeFileSync(file, '');
      const { result } = await run(runner, 'echo hi', { cwd: file });
      assert.ok(
        result.status === 'spawn_failed' && result.reason === 'cwd_not_directory',
        JSON.stringify(result),
      );
    });

    test('bash missing from the job PATH: spawn_failed for spawns, the launcher execs its own bash', async () => {
      const { result, stdout } = await run(runner, 'echo hi', { env: { PATH: join(dir, 'no-bin') } });
      if (kind === 'spawn') {
        assert.ok(
          result.status === 'spawn_failed' && result.reason === 'spawn_error',
          JSON.stringify(result),
        );
        assert.match(result.message, /bash/);
      } else {
        assert.equal(result.status, 'succeeded', JSON.stringify(result));
        assert.equal(stdout, 'hi\n');
      }
    });

    test('a multi-byte character split across two writes arrives intact', async () => {
      const { stdout } = await run(runner, "printf '\\xe2\\x82'; sleep 0.2; printf '\\xac\\n'");
      assert.equal(stdout, '€\n');
    });

    test('output is delivered while the job runs, not at the end', async () => {
      const arrivals: number[] = [];
      const started = Date.now();
      await runner.run({
        command: 'echo first; sleep 1; echo second',
        cwd: dir,
        env: TEST_ENV,
        onOutput: () => arrivals.push(Date.now() - started),
      });
      assert.equal(arrivals.length, 2);
      // A second apart when written; half of that is left for a busy machine delaying the first line.
      assert.ok(arrivals[1]! - arrivals[0]! >= 500, JSON.stringify(arrivals));
    });

    test('100 MB of output streams through in chunks within a few seconds', async () => {
      let bytes = 0;
      let chunks = 0;
      const started = Date.now();
      // Process substitution, because `yes | head` fails under pipefail when yes gets SIGPIPE.
      const result = await runner.run({
        command: 'head -c 100000000 < <(yes xxxxxxxxxxxxxxxxxxx)',
        cwd: dir,
        env: TEST_ENV,
        onOutput: (_stream, chunk) => {
          bytes += Buffer.byteLength(chunk);
          chunks += 1;
        },
      });
      assert.equal(result.status, 'succeeded', JSON.stringify(result));
      assert.equal(bytes, 100_000_000);
      assert.ok(chunks > 100, `only ${chunks} chunks`);
      assert.ok(Date.now() - started < 15_000, `took ${Date.now() - started} ms`);
    });

    test('the outputs file exists owner-only while the command runs; its text comes back and it is removed', async () => {
      const file = join(dir, `${kind}-outputs`);
      const { result, stdout } = await run(
        runner,
        `stat -c %a "$F"; echo "a=1" >> "$F"; printf 'b=2' >> "$F"`,
        {
          env: { ...TEST_ENV, F: file },
          outputFile: file,
        },
      );
      assert.ok(result.status === 'succeeded', JSON.stringify(result));
      assert.equal(stdout, '600\n');
      assert.deepEqual(result.outputFile, { text: 'a=1\nb=2' });
      assert.equal(existsSync(file), false);
    });

    test('an outputs file the job removed reads as empty; a failed job leaves none behind', async () => {
      const removed = join(dir, `${kind}-removed`);
      const gone = await run(runner, 'rm "$F"', { env: { ...TEST_ENV, F: removed }, outputFile: removed });
      assert.ok(gone.result.status === 'succeeded');
      assert.deepEqual(gone.result.outputFile, { text: '' });
      const failed = join(dir, `${kind}-failed`);
      const { result } = await run(runner, 'echo x=1 >> "$F"; exit 3', {
        env: { ...TEST_ENV, F: failed },
        outputFile: failed,
      });
      assert.equal(result.status, 'failed');
      assert.equal(existsSync(failed), false);
    });

    test('the start record holds the pid by the time onStart is called', async () => {
      const journal = join(dir, `${kind}-journal`);
      writeFileSync(journal, '');
      const seenAtStart: string[] = [];
      const { result } = await run(runner, 'true', {
        startRecord: { file: journal, key: 'build[node=20]' },
        onStart: () => seenAtStart.push(readFileSync(journal, 'utf8')),
      });
      assert.ok(result.status === 'succeeded', JSON.stringify(result));
      assert.deepEqual(seenAtStart, [`${result.pid} build[node=20]\n`]);
    });

    test('a start that cannot be recorded does not run the command', async () => {
      const marker = join(dir, `${kind}-unrecorded-ran`);
      const { result } = await run(runner, `sleep 0.3; touch "${marker}"`, {
        startRecord: { file: join(dir, 'no-such-folder', 'journal'), key: 'build' },
      });
      assert.equal(result.status, 'spawn_failed', JSON.stringify(result));
      assert.ok(
        result.status === 'spawn_failed' && /cannot record the start/.test(result.message),
        JSON.stringify(result),
      );
      await new Promise((resolve) => setTimeout(resolve, 500));
      assert.equal(existsSync(marker), false);
    });

    test('with a background child left running, the group is stopped before the outputs file is read', async () => {
      const file = join(dir, `${kind}-leftover`);
      const { result } = await run(runner, '(sleep 0.2; echo late=1 >> "$F") & echo early=1 >> "$F"', {
        env: { ...TEST_ENV, F: file },
        outputFile: file,
        graceMs: 2000,
      });
      assert.ok(result.status === 'succeeded', JSON.stringify(result));
      // The leftover got SIGTERM at once, so it never wrote; what the shell wrote is there.
      assert.deepEqual(result.outputFile, { text: 'early=1\n' });
      assert.equal(existsSync(file), false);
    });
  });
}
