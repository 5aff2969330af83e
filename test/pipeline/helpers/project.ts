// Builds a throwaway project directory from a scenario fixture and drives the real CLI inside it.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type CliOptions, type CliResult, type RunningCli, runSlipway, show, startSlipway } from './cli.js';
import {
  type LogRow,
  parseNdjson,
  type RunEvent,
  type RunRow,
  runEvents,
  type StoredEvent,
} from './events.js';
import { killIfRunning } from './processes.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));

/** A temp project holding one fixture as its slipway.yaml. */
export interface Project {
  readonly dir: string;
  path(relative: string): string;
  read(relative: string): string;
  exists(relative: string): boolean;
  write(relative: string, text: string): void;
  remove(relative: string): void;
  /** Reads a pid a job wrote to `relative`. */
  pid(relative: string): number;
  run(args: readonly string[], options?: CliOptions): Promise<CliResult>;
  start(args: readonly string[], options?: CliOptions): RunningCli;
  /** `slipway <command> --json ...`: the result and its parsed run events. */
  runJson(args: readonly string[], options?: CliOptions): Promise<{ result: CliResult; events: RunEvent[] }>;
  /** `slipway runs --json`, newest first. */
  runs(): Promise<RunRow[]>;
  /** `slipway events --json [--run id]`, oldest first. */
  events(runId?: number): Promise<StoredEvent[]>;
  /** `slipway logs RUN [JOB] --json`. */
  logs(runId: number, job?: string): Promise<LogRow[]>;
}

/** Options of createProject. */
export interface ProjectOptions {
  /** Make the directory a git repository on branch `main` with one commit. */
  readonly git?: boolean;
  /** Extra files to write, by relative path. */
  readonly files?: Readonly<Record<string, string>>;
}

/** Whatever owns the project: a test's context, or `{ after }` of node:test for a whole suite. */
export interface ProjectOwner {
  after(fn: () => void): unknown;
}

/** Creates a project from `fixtures/<fixture>` (removed, with its children, when its owner ends). */
export function createProject(owner: ProjectOwner, fixture: string, options: ProjectOptions = {}): Project {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'slipway-e2e-')));
  writeFileSync(join(dir, 'slipway.yaml'), readFileSync(join(FIXTURES, fixture), 'utf8'));
  for (const [relative, text] of Object.entries(options.files ?? {})) {
    mkdirSync(dirname(join(dir, relative)), { recursive: true });
    writeFileSync(join(dir, relative), text);
  }
  if (options.git) initGit(dir);
  const children: RunningCli[] = [];
  owner.after(() => {
    for (const child of children) if (child.running()) child.child.kill('SIGKILL');
    // Job processes a failed test may have left behind: fixtures write their pids to *.pid files.
    for (const name of readdirSync(dir)) {
      if (!name.endsWith('.pid')) continue;
      const pid = Number(readFileSync(join(dir, name), 'utf8').trim());
      if (Number.isInteger(pid) && pid > 1) killIfRunning(pid, ['sleep', 'bash']);
    }
    rmSync(dir, { recursive: true, force: true });
  });

  const project: Project = {
    dir,
    path: (relative) => join(dir, relative),
    read: (relative) => readFileSync(join(dir, relative), 'utf8'),
    exists: (relative) => existsSync(join(dir, relative)),
    write: (relative, text) => {
      mkdirSync(dirname(join(dir, relative)), { recursive: true });
      writeFileSync(join(dir, relative), text);
    },
    remove: (relative) => rmSync(join(dir, relative), { recursive: true, force: true }),
    pid: (relative) => {
      const pid = Number(readFileSync(join(dir, relative), 'utf8').trim());
      assert.ok(Number.isInteger(pid) && pid > 1, `${relative} holds no pid`);
      return pid;
    },
    run: (args, runOptions) => runSlipway(dir, args, runOptions),
    start: (args, runOptions) => {
      const child = startSlipway(dir, args, runOptions);
      children.push(child);
      return child;
    },
    runJson: async (args, runOptions) => {
      const result = await runSlipway(dir, [...args, '--json'], runOptions);
      assert.doesNotMatch(result.stderr, /internal error|this is a bug/, show(result));
      return { result, events: runEvents(result.stdout) };
    },
    runs: async () => {
      const result = await runSlipway(dir, ['runs', '--json']);
      assert.equal(result.code, 0, show(result));
      return JSON.parse(result.stdout) as RunRow[];
    },
    events: async (runId) => {
      const args = ['events', '--json', ...(runId === undefined ? [] : ['--run', String(runId)])];
      const result = await runSlipway(dir, args);
      assert.equal(result.code, 0, show(result));
      return parseNdjson<StoredEvent>(result.stdout);
    },
    logs: async (runId, job) => {
      const result = await runSlipway(dir, ['logs', String(runId), ...(job ? [job] : []), '--json']);
      assert.equal(result.code, 0, show(result));
      return parseNdjson<LogRow>(result.stdout);
    },
  };
  return project;
}

function initGit(dir: string): void {
  const git = (...args: string[]) =>
    execFileSync('git', args, {
      cwd: dir,
      stdio: 'pipe',
      timeout: 10_000,
      env: {
        PATH: process.env.PATH,
        HOME: dir,
        GIT_CONFIG_NOSYSTEM: '1',
        GIT_AUTHOR_NAME: 'Tester',
        GIT_AUTHOR_EMAIL: 'tester@example.com',
        GIT_COMMITTER_NAME: 'Tester',
        GIT_COMMITTER_EMAIL: 'tester@example.com',
      },
    })
      .toString()
      .trim();
  git('init', '-q', '-b', 'main');
  writeFileSync(join(dir, '.gitignore'), '.slipway/\n');
  git('add', '-A');
  git('commit', '-q', '-m', 'initial');
}

/** `git rev-parse HEAD` of a project made with `git: true`. */
export function headSha(project: Project): string {
  return execFileSync('git', ['rev-parse', 'HEAD'], { cwd: project.dir, timeout: 10_000 }).toString().trim();
}
