import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import type { RunEvent } from '../../pipeline/run-events.js';
import { Output } from '../output.js';
import { jsonReporter } from './json-reporter.js';
import { liveReporter } from './live-reporter.js';
import { plainReporter } from './plain-reporter.js';

function terminal(isTTY: boolean, env: NodeJS.ProcessEnv = {}) {
  let text = '';
  const stream = Object.assign(
    new Writable({
      write(chunk, _enc, done) {
        text += String(chunk);
        done();
      },
    }),
    { isTTY, columns: 100 },
  );
  return {
    output: (json = false) => new Output({ stdout: stream, stderr: stream, env }, { json }),
    text: () => text,
  };
}

const ESC = String.fromCharCode(27);
const SGR = new RegExp(`${ESC}\\[[0-9;]*m`, 'g');

const clock = { now: () => Date.UTC(2026, 10, 28, 12, 0, 1, 250) };
const EVENTS: RunEvent[] = [
  { type: 'run.started', run: 7, pipeline: 'hello', jobs: ['build', 'test'] },
  { type: 'job.started', job: 'build', attempt: 1 },
  { type: 'job.log', job: 'build', stream: 'stdout', text: 'compiling 12 files' },
  { type: 'job.finished', job: 'build', status: 'success', attempts: 1, exitCode: 0, durationMs: 850 },
  { type: 'job.started', job: 'test', attempt: 1 },
  { type: 'job.finished', job: 'test', status: 'failure', attempts: 1, exitCode: 2, durationMs: 12_300 },
  { type: 'run.finished', run: 7, status: 'failure', durationMs: 13_200 },
];

test('live view: one line per job with status, elapsed time and last log line, redrawn in place', () => {
  const tty = terminal(true);
  const reporter = liveReporter(tty.output(), clock);
  for (const event of EVENTS) reporter.report(event);
  reporter.close();
  const text = tty.text().replace(SGR, '');
  assert.ok(tty.text().includes(`${ESC}[32msuccess`), 'statuses are coloured on a TTY');
  // One redraw at close after the header and two job lines; a second redraw would move the cursor up.
  assert.match(text, /run 7: failure in 13\.2s/);
  assert.match(text, /success\s+850ms\s+build\s+.*compiling 12 files/);
  assert.match(text, /failure\s+12\.3s\s+test/);
  reporter.report({ type: 'job.log', job: 'test', stream: 'stderr', text: 'late line' });
  reporter.close();
  assert.ok(
    tty.text().includes(`${ESC}[3F`),
    'the second frame moves the cursor up over the first (3 lines)',
  );
});

test('plain lines: timestamped, one per event, no escape codes without a TTY', () => {
  const pipe = terminal(false);
  const reporter = plainReporter(pipe.output(), clock);
  for (const event of EVENTS) reporter.report(event);
  reporter.close();
  const lines = pipe.text().trimEnd().split('\n');
  assert.deepEqual(lines, [
    '12:00:01.250 run 7 started: hello (2 jobs)',
    '12:00:01.250 build: started',
    '12:00:01.250 build | compiling 12 files',
    '12:00:01.250 build: success in 850ms',
    '12:00:01.250 test: started',
    '12:00:01.250 test: failure exit 2 in 12.3s',
    '12:00:01.250 run 7 failure in 13.2s',
  ]);
  assert.equal(pipe.text().includes(ESC), false);
});

test('plain lines off a terminal go out in one write per burst; on a terminal each at once', async () => {
  const pipe = terminal(false);
  const writes: string[] = [];
  const output = pipe.output();
  const write = output.write.bind(output);
  output.write = (text: string) => {
    writes.push(text);
    write(text);
  };
  const reporter = plainReporter(output, clock);
  for (const event of EVENTS.slice(0, 3)) reporter.report(event);
  assert.equal(pipe.text(), '', 'nothing is written before the burst ends');
  await new Promise((resolve) => setTimeout(resolve, 60));
  assert.equal(writes.length, 1);
  assert.equal(pipe.text().trimEnd().split('\n').length, 3);
  for (const event of EVENTS.slice(3)) reporter.report(event);
  reporter.close();
  assert.equal(writes.length, 2, 'close writes what is left at once');
  assert.equal(pipe.text().trimEnd().split('\n').length, EVENTS.length);

  const tty = terminal(true, { NO_COLOR: '1' });
  const live = plainReporter(tty.output(), clock);
  live.report(EVENTS[0]!);
  assert.equal(tty.text(), '12:00:01.250 run 7 started: hello (2 jobs)\n');
  live.close();
});

test('NO_COLOR turns colour off even on a TTY; --json writes NDJSON only', () => {
  const noColor = terminal(true, { NO_COLOR: '1' });
  assert.equal(noColor.output().color, false);
  assert.equal(terminal(true).output().color, true);
  const json = terminal(true);
  const reporter = jsonReporter(json.output(true));
  for (const event of EVENTS) reporter.report(event);
  const parsed = json
    .text()
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as RunEvent);
  assert.deepEqual(parsed, EVENTS);
});
