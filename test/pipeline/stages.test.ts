// Stage order, parallel and sequential stages, `needs` edges, --concurrency, --job and --stage, plain output.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, test } from 'node:test';
import { show } from './helpers/cli.js';
import { runIdOf, runStatusOf, statusByJob } from './helpers/events.js';
import { createProject } from './helpers/project.js';
import { overlaps, readTimeline, spanOf } from './helpers/timeline.js';

describe('stages', { concurrency: true }, () => {
  test('parallel jobs overlap, the next stage waits for both, a steps stage runs its jobs in order', async (t) => {
    const project = createProject(t, 'stages-parallel-then-steps.yaml');
    const { result, events } = await project.runJson(['run', '--concurrency', '2']);
    assert.equal(result.code, 0, show(result));
    assert.equal(runStatusOf(events), 'success');
    assert.deepEqual(statusByJob(events), {
      left: 'success',
      right: 'success',
      first: 'success',
      second: 'success',
      third: 'success',
    });

    const spans = readTimeline(project.path('timeline.log'));
    const left = spanOf(spans, 'left');
    const right = spanOf(spans, 'right');
    assert.ok(
      overlaps(left, right),
      `left ${JSON.stringify(left)} and right ${JSON.stringify(right)} did not overlap`,
    );
    const buildStart = Math.min(left.start, right.start);
    const buildEnd = Math.max(left.end, right.end);
    assert.ok(buildEnd - buildStart < 900, `build stage took ${buildEnd - buildStart}ms, expected < 900ms`);

    const first = spanOf(spans, 'first');
    const second = spanOf(spans, 'second');
    const third = spanOf(spans, 'third');
    assert.ok(first.start >= buildEnd, 'stage check started before stage build ended');
    assert.ok(second.start >= first.end, 'second started before first ended');
    assert.ok(third.start >= second.end, 'third started before second ended');
  });

  test('--concurrency 1 runs the jobs of a parallel stage one at a time', async (t) => {
    const project = createProject(t, 'stages-parallel-then-steps.yaml');
    const { result, events } = await project.runJson(['run', '--concurrency', '1', '--stage', 'build']);
    assert.equal(result.code, 0, show(result));
    assert.deepEqual(statusByJob(events), { left: 'success', right: 'success' });
    const spans = readTimeline(project.path('timeline.log'));
    const left = spanOf(spans, 'left');
    const right = spanOf(spans, 'right');
    assert.ok(!overlaps(left, right), `left and right overlapped: ${JSON.stringify({ left, right })}`);
    const total = Math.max(left.end, right.end) - Math.min(left.start, right.start);
    assert.ok(total >= 1000, `two serialized 0.5 s jobs took only ${total}ms`);
  });

  test('needs orders jobs inside a stage and carries results and outputs across stages', async (t) => {
    const project = createProject(t, 'needs-within-and-across-stages.yaml');
    const { result, events } = await project.runJson(['run', '--concurrency', '4']);
    assert.equal(result.code, 0, show(result));
    assert.deepEqual(statusByJob(events), { early: 'success', late: 'success', report: 'success' });
    const spans = readTimeline(project.path('timeline.log'));
    assert.ok(spanOf(spans, 'late').start >= spanOf(spans, 'early').end, 'late started before early ended');
    assert.equal(project.read('report.txt'), 'success 42\n');
    const runs = await project.runs();
    assert.deepEqual(
      runs.map((r) => [r.id, r.status, r.actor]),
      [[runIdOf(events), 'success', 'tester']],
    );
  });

  test('--job runs the job and the jobs it needs, nothing else', async (t) => {
    const project = createProject(t, 'selection-job-and-stage.yaml');
    const { result, events } = await project.runJson(['run', '--job', 'unit']);
    assert.equal(result.code, 0, show(result));
    assert.deepEqual(statusByJob(events), { compile: 'success', unit: 'success' });
    const ran = ['compile', 'lint', 'unit', 'docs', 'package'].filter((job) =>
      existsSync(project.path(`ran-${job}`)),
    );
    assert.deepEqual(ran, ['compile', 'unit']);
  });

  test('--stage runs the jobs of that stage only, even one that needs a job of another stage', async (t) => {
    const project = createProject(t, 'selection-job-and-stage.yaml');
    const { result, events } = await project.runJson(['run', '--stage', 'test']);
    const ran = ['compile', 'lint', 'unit', 'docs', 'package'].filter((job) =>
      existsSync(project.path(`ran-${job}`)),
    );
    assert.deepEqual(ran, ['unit', 'docs'], show(result));
    assert.deepEqual(statusByJob(events), { unit: 'success', docs: 'success' });
    assert.equal(result.code, 0, show(result));
  });

  test('an unknown --job or --stage is a usage error (exit 2) that starts no run', async (t) => {
    const project = createProject(t, 'selection-job-and-stage.yaml');
    const job = await project.run(['run', '--job', 'nope']);
    assert.equal(job.code, 2, show(job));
    assert.match(job.stderr, /nope/);
    const stage = await project.run(['run', '--stage', 'nope']);
    assert.equal(stage.code, 2, show(stage));
    assert.deepEqual(await project.runs(), []);
  });

  test('without --json and with NO_COLOR the output is plain timestamped lines', async (t) => {
    const project = createProject(t, 'needs-within-and-across-stages.yaml');
    const result = await project.run(['run']);
    assert.equal(result.code, 0, show(result));
    const lines = result.stdout.trimEnd().split('\n');
    const stamp = String.raw`\d\d:\d\d:\d\d\.\d{3}`;
    for (const line of lines) assert.match(line, new RegExp(`^${stamp} `), `unstamped line: ${line}`);
    assert.ok(!result.stdout.includes('\u001b['), 'colour codes in NO_COLOR output');
    assert.ok(
      lines.some((l) => new RegExp(`^${stamp} early: started$`).test(l)),
      result.stdout,
    );
    assert.ok(lines.some((l) => new RegExp(`^${stamp} early: success in \\d+(ms|\\.\\ds)$`).test(l)));
    assert.ok(
      lines.some((l) => new RegExp(`^${stamp} run 1 success in [\\d.]+m?s$`).test(l)),
      result.stdout,
    );
    const started = lines.findIndex((l) => l.endsWith(' late: started'));
    const earlyDone = lines.findIndex((l) => / early: success in /.test(l));
    assert.ok(earlyDone !== -1 && started > earlyDone, 'late: started was printed before early finished');
  });
});
