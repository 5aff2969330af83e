// Builds real temporary git repositories with deterministic authors and dates, and drives the
// real `slipway` binary inside them.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { type CliResult, runSlipway, show } from '../pipeline/helpers/cli.js';

/** A temp git repository on branch main. */
export interface TestRepo {
  readonly dir: string;
  readonly env: Readonly<Record<string, string>>;
  git(...args: string[]): string;
  /** Commits (empty unless `files` are given) and returns the sha. */
  commit(message: string | Buffer, files?: Readonly<Record<string, string>>): string;
  /** Commits a message byte for byte (no re-encoding by git), on top of HEAD. */
  commitRaw(message: Buffer): string;
  tag(name: string, options?: { lightweight?: boolean; at?: string }): void;
  write(relative: string, text: string): void;
  read(relative: string): string;
  slipway(args: readonly string[], env?: Readonly<Record<string, string>>): Promise<CliResult>;
  /** `slipway ...args --json`, asserting exit 0, parsed. */
  json<T = Record<string, unknown>>(args: readonly string[]): Promise<T>;
}

/** Whatever owns the repository: a test context or a suite. */
export interface Owner {
  after(fn: () => void): unknown;
}

let clock = 1_700_000_000;

/** Creates an empty repository (removed when `owner` ends). */
export function createRepo(owner: Owner, options: { init?: boolean } = {}): TestRepo {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'slipway-release-')));
  owner.after(() => rmSync(dir, { recursive: true, force: true }));
  const env = {
    HOME: dir,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_AUTHOR_NAME: 'Ada Lovelace',
    GIT_AUTHOR_EMAIL: 'ada@example.com',
    GIT_COMMITTER_NAME: 'Ada Lovelace',
    GIT_COMMITTER_EMAIL: 'ada@example.com',
  };
  const git = (...args: string[]) =>
    execFileSync('git', args, {
      cwd: dir,
      env: {
        PATH: process.env.PATH,
        ...env,
        GIT_AUTHOR_DATE: `${clock} +0000`,
        GIT_COMMITTER_DATE: `${clock++} +0000`,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 1 << 28,
    })
      .toString('utf8')
      .trim();
  const write = (relative: string, text: string) => {
    mkdirSync(dirname(join(dir, relative)), { recursive: true });
    writeFileSync(join(dir, relative), text);
  };
  if (options.init !== false) git('init', '-q', '-b', 'main');
  const repo: TestRepo = {
    dir,
    env,
    git,
    commit(message, files = {}) {
      for (const [path, text] of Object.entries(files)) write(path, text);
      if (Object.keys(files).length > 0) git('add', '-A', '--', ...Object.keys(files));
      const file = join(dir, '.git', 'TEST_MSG');
      writeFileSync(file, message);
      git('commit', '-q', '--allow-empty', '--cleanup=verbatim', '-F', file);
      return git('rev-parse', 'HEAD');
    },
    commitRaw(message) {
      const tree = git('rev-parse', 'HEAD^{tree}');
      const parent = git('rev-parse', 'HEAD');
      const stamp = `Ada Lovelace <ada@example.com> ${clock++} +0000`;
      const object = Buffer.concat([
        Buffer.from(`tree ${tree}\nparent ${parent}\nauthor ${stamp}\ncommitter ${stamp}\n\n`),
        message,
      ]);
      const file = join(dir, '.git', 'TEST_OBJECT');
      writeFileSync(file, object);
      const sha = git('hash-object', '-t', 'commit', '-w', '--literally', file);
      git('update-ref', 'HEAD', sha);
      return sha;
    },
    tag(name, tagOptions = {}) {
      const at = tagOptions.at ?? 'HEAD';
      if (tagOptions.lightweight) git('tag', name, at);
      else git('tag', '-a', name, '-m', `release ${name}`, at);
    },
    write,
    read: (relative) => readFileSync(join(dir, relative), 'utf8'),
    slipway: (args, extra = {}) => runSlipway(dir, args, { env: { ...env, ...extra }, timeoutMs: 30_000 }),
    async json<T>(args: readonly string[]) {
      const result = await runSlipway(dir, [...args, '--json'], { env, timeoutMs: 30_000 });
      assert.equal(result.code, 0, show(result));
      assert.doesNotMatch(result.stderr, /internal error/, show(result));
      return JSON.parse(result.stdout) as T;
    },
  };
  return repo;
}

/** The dry-run JSON document. */
export interface PlanDocument {
  previous: string | null;
  next: string | null;
  bump: string | null;
  tag: string | null;
  commits: { sha: string; type: string; scope: string | null; subject: string; breaking: boolean }[];
  notes: string;
}
