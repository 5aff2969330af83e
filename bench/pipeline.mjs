// bench:pipeline — runs a 1,000-job DAG (100 chains of 10 jobs, each `true`) through `slipway run`
// and the same graph through `make -j<cores>` in one invocation, then the peak memory of
// `slipway run` on a 10,000-job DAG, and the wall time of a one-job pipeline.
// Both runners execute each job as `bash -eo pipefail -c true`, so both pay the same process start.
// Prints one JSON line: {"bench":"pipeline","jobs":1000,"slipway_s":..,"make_s":..,"ratio":..,...}
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';

const bin = new URL('../bin/slipway.js', import.meta.url).pathname;
const cores = availableParallelism();

function project(chains, length) {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-bench-'));
  const jobs = [];
  const rules = ['SHELL := /bin/bash', '.SHELLFLAGS := -eo pipefail -c', ''];
  const all = [];
  for (let c = 0; c < chains; c++) {
    for (let i = 0; i < length; i++) {
      const id = `c${c}_j${i}`;
      const needs = i > 0 ? `, needs: [c${c}_j${i - 1}]` : '';
      jobs.push(`  ${id}: { run: "true"${needs} }`);
      rules.push(`${id}:${i > 0 ? ` c${c}_j${i - 1}` : ''}`, '\t@true', '');
      all.push(id);
    }
  }
  writeFileSync(join(dir, 'slipway.yaml'), `project: { name: bench }\njobs:\n${jobs.join('\n')}\n`);
  writeFileSync(
    join(dir, 'Makefile'),
    `.PHONY: all ${all.join(' ')}\nall: ${all.join(' ')}\n\n${rules.join('\n')}`,
  );
  return dir;
}

function timed(cmd, args, cwd) {
  const start = process.hrtime.bigint();
  const result = spawnSync(cmd, args, {
    cwd,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, NO_COLOR: '1', CI: '1' },
  });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (result.status !== 0)
    throw new Error(`${cmd} ${args.join(' ')} failed (${result.status}): ${result.stderr}`);
  return seconds;
}

function peakKb(cmd, args, cwd) {
  const out = spawnSync('/usr/bin/time', ['-f', '%M', cmd, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', CI: '1' },
  });
  if (out.status !== 0) throw new Error(`peak memory run failed: ${out.stderr.slice(-500)}`);
  return Number(out.stderr.trim().split('\n').pop());
}

const round = (n, d = 3) => Math.round(n * 10 ** d) / 10 ** d;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const dirs = [];
try {
  const big = project(100, 10);
  dirs.push(big);
  execFileSync('make', ['--version'], { stdio: 'ignore' });
  const slipwayRuns = [];
  const makeRuns = [];
  for (let i = 0; i < 3; i++) {
    rmSync(join(big, '.slipway'), { recursive: true, force: true });
    slipwayRuns.push(timed(process.execPath, [bin, 'run', '--concurrency', String(cores)], big));
    makeRuns.push(timed('make', [`-j${cores}`, '-s'], big));
  }
  const slipway_s = median(slipwayRuns);
  const make_s = median(makeRuns);

  const huge = project(1000, 10);
  dirs.push(huge);
  const peak_kb = peakKb(process.execPath, [bin, 'run', '--concurrency', String(cores)], huge);

  const one = mkdtempSync(join(tmpdir(), 'slipway-bench-one-'));
  dirs.push(one);
  writeFileSync(join(one, 'slipway.yaml'), 'jobs:\n  only: { run: "true" }\n');
  const oneRuns = [];
  for (let i = 0; i < 5; i++) oneRuns.push(timed(process.execPath, [bin, 'run'], one));

  process.stdout.write(
    `${JSON.stringify({
      bench: 'pipeline',
      jobs: 1000,
      slipway_s: round(slipway_s),
      make_s: round(make_s),
      ratio: round(slipway_s / make_s, 2),
      cores,
      peak_mb_10k_jobs: round(peak_kb / 1024, 1),
      one_job_s: round(median(oneRuns)),
    })}\n`,
  );
} finally {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
}
