// bench:release — builds a repository with 50,000 commits and 500 release tags (the last one 49,000
// commits back, so the range since the last release is large), then times, in one invocation and over
// that same range: `slipway release --dry-run --json`, `git log` printing the same fields (the floor:
// reading the history), and `git-cliff --bumped-version --unreleased` (the npm package's binary).
// The commands take turns, one run of each per round after one warm-up run of each, so a machine
// busy with something else slows all of them alike; each time is the median of its rounds.
// git log is timed twice: into a pipe (git_log_s: git flushes after every commit, as it does for
// anything reading it through a pipe), and into a file (git_log_file_s: no flush per commit, which
// is how slipway runs it), the stricter floor.
// Prints one JSON line: {"bench":"release","commits":50000,"slipway_s":..,"git_log_s":..,"git_log_file_s":..,"git_cliff_s":..,"ratio_vs_git_cliff":..,"ratio_vs_git_log":..,"ratio_vs_git_log_file":..}
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const COMMITS = 50_000;
const TAGS = 500;
const TAGGED_SPAN = 1_000; // a tag every 2 commits over the first 1,000
const FORMAT = 2; // bump when the generated repository changes
const bin = new URL('../bin/slipway.js', import.meta.url).pathname;
const cliff = gitCliffBinary();
const dir = join(tmpdir(), `slipway-bench-release-v${FORMAT}`);
const env = {
  ...process.env,
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_AUTHOR_NAME: 'Bench',
  GIT_AUTHOR_EMAIL: 'bench@example.com',
  GIT_COMMITTER_NAME: 'Bench',
  GIT_COMMITTER_EMAIL: 'bench@example.com',
  NO_COLOR: '1',
};

/**
 * git-cliff's binary: from node_modules if someone installed it, else installed once from the npm
 * registry into a cache folder outside the project (it is not a project dependency: its lock-file
 * entries for other platforms break `npm ci`).
 */
function gitCliffBinary() {
  const local = new URL('../node_modules/.bin/git-cliff', import.meta.url).pathname;
  if (existsSync(local)) return local;
  const cache = join(tmpdir(), 'slipway-bench-git-cliff');
  const cached = join(cache, 'node_modules', '.bin', 'git-cliff');
  if (!existsSync(cached)) {
    process.stderr.write('bench:release: installing git-cliff@2.14.2 into a cache folder\n');
    mkdirSync(cache, { recursive: true });
    execFileSync(
      'npm',
      ['install', '--prefix', cache, '--no-audit', '--no-fund', '--no-save', 'git-cliff@2.14.2'],
      {
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
  }
  return cached;
}

const TYPES = ['feat', 'fix', 'chore', 'docs', 'refactor', 'perf', 'test', 'fix', 'chore', 'build'];
const SCOPES = ['api', 'web', 'cli', 'db', null];
const AUTHORS = ['Ada <ada@example.com>', 'Linus <linus@example.com>', 'Grace <grace@example.com>'];

function message(i) {
  const type = TYPES[i % TYPES.length];
  const scope = SCOPES[i % SCOPES.length];
  const head = `${type}${scope ? `(${scope})` : ''}: change number ${i}`;
  if (i % 7 === 0) return `${head}\n\nA body explaining change ${i} in a few words.\n\nRefs: #${i}\n`;
  if (i % 500 === 3) return `update ${i} without a convention\n`;
  return `${head}\n`;
}

function build() {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: dir, env });
  const chunks = [];
  let t = 1_600_000_000;
  for (let i = 1; i <= COMMITS; i++) {
    const msg = Buffer.from(message(i));
    const content = `${i}\n`;
    const author = AUTHORS[i % AUTHORS.length];
    chunks.push(
      `commit refs/heads/main\nmark :${i}\nauthor ${author} ${t} +0000\ncommitter ${author} ${t} +0000\ndata ${msg.length}\n${msg}`,
      i > 1 ? `from :${i - 1}\n` : '',
      `M 644 inline src/file${i % 200}.txt\ndata ${Buffer.byteLength(content)}\n${content}\n`,
    );
    t += 60;
    if (i <= TAGGED_SPAN && i % (TAGGED_SPAN / TAGS) === 0) {
      const n = i / (TAGGED_SPAN / TAGS) - 1;
      const tagMsg = `release ${n}\n`;
      chunks.push(
        `tag v1.${n}.0\nfrom :${i}\ntagger Bench <bench@example.com> ${t} +0000\ndata ${tagMsg.length}\n${tagMsg}\n`,
      );
      if (n % 50 === 0) chunks.push(`reset refs/tags/build-${n}\nfrom :${i}\n\n`); // noise: not semver
    }
  }
  execFileSync('git', ['fast-import', '--quiet'], {
    cwd: dir,
    env,
    input: chunks.join(''),
    maxBuffer: 1 << 30,
  });
  execFileSync('git', ['checkout', '-q', '-f', 'main'], { cwd: dir, env });
  writeFileSync(
    join(dir, 'cliff.toml'),
    [
      '[changelog]',
      'body = "{% for commit in commits %}- {{ commit.message }}\\n{% endfor %}"',
      '[git]',
      'conventional_commits = true',
      'filter_unconventional = false',
      'tag_pattern = "v[0-9]+\\\\.[0-9]+\\\\.[0-9]+$"',
      '',
    ].join('\n'),
  );
  execFileSync('git', ['gc', '-q'], { cwd: dir, env });
  writeFileSync(join(dir, '.git', 'bench-complete'), '');
}

/** Runs `cmd` in the bench repository; its stdout goes to a pipe, or to `outFile` when given. */
function timed(cmd, args, outFile) {
  const fd = outFile === undefined ? undefined : openSync(outFile, 'w');
  const start = process.hrtime.bigint();
  const result = spawnSync(cmd, args, {
    cwd: dir,
    env,
    maxBuffer: 1 << 30,
    ...(fd === undefined ? {} : { stdio: ['ignore', fd, 'pipe'] }),
  });
  const s = Number(process.hrtime.bigint() - start) / 1e9;
  if (fd !== undefined) closeSync(fd);
  if (result.status !== 0) {
    throw new Error(
      `${cmd} ${args.join(' ')} exited ${result.status}: ${String(result.stderr).slice(0, 2000)}`,
    );
  }
  return { s, stdout: fd === undefined ? String(result.stdout) : readFileSync(outFile, 'utf8') };
}

/** Times each of `commands` once to warm up, then `rounds` times taking turns; the median of each. */
function medians(commands, rounds = 5) {
  for (const c of commands) timed(c.cmd, c.args, c.outFile);
  const times = commands.map(() => []);
  const last = [];
  for (let r = 0; r < rounds; r++) {
    commands.forEach((c, i) => {
      last[i] = timed(c.cmd, c.args, c.outFile);
      times[i].push(last[i].s);
    });
  }
  return commands.map((_, i) => {
    const sorted = [...times[i]].sort((a, b) => a - b);
    return { s: sorted[Math.floor(sorted.length / 2)], stdout: last[i].stdout };
  });
}

if (!existsSync(join(dir, '.git', 'bench-complete'))) build();
const lastTag = `v1.${TAGS - 1}.0`;
const range = Number(execFileSync('git', ['rev-list', '--count', `${lastTag}..HEAD`], { cwd: dir, env }));
const logArgs = [
  '-c',
  'core.quotepath=off',
  'log',
  '-z',
  '--no-color',
  '--format=%H%x1f%P%x1f%an%x1f%ae%x1f%aI%x1f%B',
  `${lastTag}..HEAD`,
];
const [slipway, gitLog, gitLogFile, gitCliff] = medians([
  { cmd: process.execPath, args: [bin, 'release', '--dry-run', '--json'] },
  { cmd: 'git', args: logArgs },
  { cmd: 'git', args: logArgs, outFile: join(dir, '.git', 'bench-git-log.out') },
  { cmd: cliff, args: ['--config', 'cliff.toml', '--unreleased', '--bumped-version'] },
]);
const plan = JSON.parse(slipway.stdout);
if (plan.previous !== `1.${TAGS - 1}.0` || plan.commits.length !== range || plan.next === null) {
  throw new Error(
    `unexpected plan: previous ${plan.previous}, next ${plan.next}, ${plan.commits.length} commits`,
  );
}
if (gitLog.stdout.split('\0').length - 1 !== range || gitLogFile.stdout !== gitLog.stdout) {
  throw new Error('git log printed something else than the range');
}
const cliffVersion = gitCliff.stdout.trim();
if (cliffVersion !== `v${plan.next}`) {
  process.stderr.write(`note: git-cliff says ${cliffVersion}, slipway says v${plan.next}\n`);
}

const round = (n, d = 3) => Math.round(n * 10 ** d) / 10 ** d;
process.stdout.write(
  `${JSON.stringify({
    bench: 'release',
    commits: COMMITS,
    tags: TAGS,
    range,
    slipway_s: round(slipway.s),
    git_log_s: round(gitLog.s),
    git_log_file_s: round(gitLogFile.s),
    git_cliff_s: round(gitCliff.s),
    ratio_vs_git_cliff: round(slipway.s / gitCliff.s, 2),
    ratio_vs_git_log: round(slipway.s / gitLog.s, 2),
    ratio_vs_git_log_file: round(slipway.s / gitLogFile.s, 2),
    next: plan.next,
  })}\n`,
);
