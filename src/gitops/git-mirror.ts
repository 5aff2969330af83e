/**
 * The desired state's repository, read with the real git client: a bare mirror of the watched
 * branch under the cache folder, fetched on each pass, and the tree of the watched path at a commit
 * unpacked once (`git archive | tar -x`) into `trees/<commit>/`. A failed fetch changes nothing:
 * the mirror keeps what it had and the error says why, with any credentials in the URL hidden.
 */
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import type { ResolvedGitOps } from '../config/resolved.js';
import { GitOpsError } from './errors.js';

/** The head of the watched branch. */
export interface DesiredCommit {
  readonly commit: string;
  readonly author: string;
  readonly subject: string;
  /** Commit time, epoch ms. */
  readonly time: number;
}

/** How the mirror reaches git. */
export interface GitMirrorOptions {
  /** Where mirrors and trees are kept (e.g. `.slipway/gitops`). */
  readonly cacheDir: string;
  /** A plain path in the URL is relative to this folder. */
  readonly baseDir: string;
  /** Environment of the git processes (e.g. GIT_SSH_COMMAND naming a deploy key). */
  readonly env?: NodeJS.ProcessEnv;
  /** Limit of each git command (default 120 s). */
  readonly timeoutMs?: number;
  /**
   * The token of a private http(s) repository: sent as an `Authorization` header through git's
   * environment (`GIT_CONFIG_*`), so it is in neither the URL, the command line nor a file.
   */
  readonly token?: string;
  /**
   * The private key of an SSH deploy key: written to a file only ssh can read (mode 0600 in a
   * private temporary folder) for the length of each fetch, as ssh reads keys from files only.
   */
  readonly sshKey?: string;
  /** known_hosts lines the server's host key must match (else the machine's known_hosts decide). */
  readonly knownHosts?: string;
}

/** Trees kept besides the newest (older commits are unpacked again if ever asked for). */
const KEPT_TREES = 4;

/** The repository of a `gitops:` section, mirrored locally. */
export class GitMirror {
  readonly url: string;
  readonly #mirror: string;
  readonly #trees: string;
  /** Commits described by `git log`, by id (a few: a branch head moves forward). */
  readonly #commits = new Map<string, DesiredCommit>();

  constructor(
    readonly repository: ResolvedGitOps['repository'],
    private readonly options: GitMirrorOptions,
  ) {
    this.url = fetchableUrl(repository.url, options.baseDir);
    const key = createHash('sha256').update(`${this.url}\n${repository.branch}`).digest('hex').slice(0, 16);
    this.#mirror = join(options.cacheDir, 'repos', `${key}.git`);
    this.#trees = join(options.cacheDir, 'trees', key);
  }

  /** The bare mirror: a git directory holding every fetched commit. */
  get gitDir(): string {
    return this.#mirror;
  }

  /** Fetches the branch and returns its head; throws GitOpsError FETCH_FAILED or NO_BRANCH. */
  async fetch(): Promise<DesiredCommit> {
    if (!existsSync(join(this.#mirror, 'HEAD'))) {
      mkdirSync(this.#mirror, { recursive: true });
      await this.#git(['init', '--quiet', '--bare', this.#mirror], 'FETCH_FAILED');
    }
    const { branch } = this.repository;
    const ref = `refs/heads/${branch}`;
    await this.#withSsh((env) =>
      this.#git(
        [
          '--git-dir',
          this.#mirror,
          'fetch',
          '--quiet',
          '--no-tags',
          '--prune',
          '--',
          this.url,
          `+${ref}:${ref}`,
        ],
        'FETCH_FAILED',
        env,
      ),
    );
    // The fetched ref is a loose file; a commit already described is not asked of git again.
    const head = readLooseRef(this.#mirror, ref);
    const known = head === undefined ? undefined : this.#commits.get(head);
    if (known) return known;
    const shown = await this.#git(
      ['--git-dir', this.#mirror, 'log', '-1', '--format=%H%x00%an <%ae>%x00%s%x00%ct', ref, '--'],
      'NO_BRANCH',
    );
    const [commit = '', author = '', subject = '', time = '0'] = shown.trim().split('\0');
    const described = { commit, author, subject, time: Number(time) * 1000 };
    if (this.#commits.size >= KEPT_TREES) this.#commits.clear();
    this.#commits.set(commit, described);
    return described;
  }

  /** The folder of the watched path at `commit` (unpacked once); throws NO_CONFIG when the path is not there. */
  async tree(commit: string): Promise<string> {
    if (!/^[0-9a-f]{40,64}$/.test(commit)) throw new GitOpsError('NO_BRANCH', `not a commit: ${commit}`);
    const root = join(this.#trees, commit);
    if (!existsSync(root)) {
      mkdirSync(this.#trees, { recursive: true });
      const staging = `${root}.tmp-${process.pid}`;
      rmSync(staging, { recursive: true, force: true });
      mkdirSync(staging);
      try {
        const path = this.repository.path;
        await this.#archive(commit, path === '' ? [] : [path], staging);
        renameSync(staging, root);
      } finally {
        rmSync(staging, { recursive: true, force: true });
      }
      this.#pruneTrees(commit);
    }
    const dir = join(root, this.repository.path);
    if (!existsSync(dir) || !statSync(dir).isDirectory())
      throw new GitOpsError(
        'NO_CONFIG',
        `${this.repository.path || '/'} is not a folder of ${this.#where()} at ${commit.slice(0, 12)}`,
      );
    return dir;
  }

  #where(): string {
    return `${redact(this.url)} (branch ${this.repository.branch})`;
  }

  /** `git archive` of `paths` at `commit`, unpacked by `tar` into `into`. */
  #archive(commit: string, paths: readonly string[], into: string): Promise<void> {
    return new Promise((done, fail) => {
      const git = spawn(
        'git',
        ['--git-dir', this.#mirror, 'archive', '--format=tar', commit, '--', ...paths],
        {
          env: this.#env(),
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      const tar = spawn('tar', ['-x', '-f', '-', '-C', into], { stdio: ['pipe', 'ignore', 'pipe'] });
      git.stdout.pipe(tar.stdin);
      let said = '';
      git.stderr.on('data', (chunk: Buffer) => {
        said += chunk.toString();
      });
      tar.stderr.on('data', (chunk: Buffer) => {
        said += chunk.toString();
      });
      const timer = setTimeout(() => {
        git.kill('SIGKILL');
        tar.kill('SIGKILL');
      }, this.options.timeoutMs ?? 120_000);
      git.on('error', fail);
      tar.on('error', fail);
      // Both must have ended: either's close event may come first.
      const ended = (child: typeof git | typeof tar) =>
        new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
      void Promise.all([ended(git), ended(tar)]).then(([gitCode, tarCode]) => {
        clearTimeout(timer);
        if (gitCode === 0 && tarCode === 0) done();
        else
          fail(
            new GitOpsError(
              'NO_CONFIG',
              `${this.repository.path || '/'} cannot be read from ${this.#where()} at ${commit.slice(0, 12)}: ${this.#hide(said.trim()) || `exit ${gitCode}/${tarCode}`}`,
            ),
          );
      });
    });
  }

  /** Keeps the newest trees (and `keep`). */
  #pruneTrees(keep: string): void {
    const trees = readdirSync(this.#trees)
      .filter((name) => /^[0-9a-f]{40,64}$/.test(name) && name !== keep)
      .map((name) => ({ name, at: statSync(join(this.#trees, name)).mtimeMs }))
      .sort((a, b) => b.at - a.at);
    for (const old of trees.slice(KEPT_TREES))
      rmSync(join(this.#trees, old.name), { recursive: true, force: true });
  }

  #env(): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...this.options.env,
      GIT_TERMINAL_PROMPT: '0',
      LC_ALL: 'C',
    };
    const { token } = this.options;
    if (token !== undefined) {
      const basic = Buffer.from(`x-access-token:${token}`).toString('base64');
      Object.assign(env, {
        GIT_CONFIG_COUNT: '1',
        GIT_CONFIG_KEY_0: 'http.extraHeader',
        GIT_CONFIG_VALUE_0: `Authorization: Basic ${basic}`,
      });
    }
    return env;
  }

  /** `text` with any credential hidden: a password in a URL, the token itself. */
  #hide(text: string): string {
    const { token } = this.options;
    const hidden = redact(text);
    return token ? hidden.replaceAll(token, '***') : hidden;
  }

  /**
   * Runs `fetch` with GIT_SSH_COMMAND naming the deploy key (and known hosts) when there is one;
   * the files are removed when it ends. BatchMode: a key that is refused fails, never prompts.
   */
  async #withSsh<T>(fetch: (env: NodeJS.ProcessEnv) => Promise<T>): Promise<T> {
    const { sshKey, knownHosts } = this.options;
    if (sshKey === undefined) return fetch({});
    const dir = mkdtempSync(join(tmpdir(), 'slipway-ssh-'));
    try {
      const key = join(dir, 'key');
      writeFileSync(key, sshKey, { mode: 0o600 });
      const options = ['-i', key, '-o', 'IdentitiesOnly=yes', '-o', 'BatchMode=yes'];
      if (knownHosts !== undefined) {
        const hosts = join(dir, 'known_hosts');
        writeFileSync(hosts, knownHosts, { mode: 0o600 });
        options.push('-o', `UserKnownHostsFile=${hosts}`, '-o', 'StrictHostKeyChecking=yes');
      }
      // GIT_SSH_COMMAND goes through a shell: every word is quoted.
      const command = ['ssh', ...options].map((word) => `'${word.replaceAll("'", "'\\''")}'`).join(' ');
      return await fetch({ GIT_SSH_COMMAND: command });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  #git(
    args: readonly string[],
    code: 'FETCH_FAILED' | 'NO_BRANCH',
    extraEnv: NodeJS.ProcessEnv = {},
  ): Promise<string> {
    return new Promise((done, fail) => {
      execFile(
        'git',
        args,
        {
          env: { ...this.#env(), ...extraEnv },
          encoding: 'utf8',
          timeout: this.options.timeoutMs ?? 120_000,
          maxBuffer: 1 << 20,
        },
        (error, stdout, stderr) => {
          if (!error) return done(stdout);
          const said = this.#hide(lastWords(String(stderr))) || this.#hide(error.message);
          fail(
            new GitOpsError(
              code,
              code === 'NO_BRANCH'
                ? `branch ${this.repository.branch} not found in ${redact(this.url)}: ${said}`
                : `git could not fetch ${this.#where()}: ${said}`,
              { cause: error },
            ),
          );
        },
      );
    });
  }
}

/** What git said last, without its generic hints ("Please make sure you have the correct access rights"). */
function lastWords(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((line) => line.trim())
    .filter(
      (line) =>
        line !== '' &&
        !/^(Please make sure you have the correct access rights|and the repository exists\.)/.test(line),
    );
  return lines.slice(-3).join(' ');
}

/** The commit a loose ref file names, or undefined (packed, missing, unreadable). */
function readLooseRef(gitDir: string, ref: string): string | undefined {
  try {
    const text = readFileSync(join(gitDir, ref), 'utf8').trim();
    return /^[0-9a-f]{40,64}$/.test(text) ? text : undefined;
  } catch {
    return undefined;
  }
}

/** The URL git is given: a plain path resolved against `baseDir`. */
function fetchableUrl(url: string, baseDir: string): string {
  if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(url)) return url;
  // scp-like `[user@]host:path` (a colon before any slash), as git reads it.
  if (/^[^/]*:/.test(url) && !isAbsolute(url)) return url;
  return resolve(baseDir, url);
}

/** Hides the password or token of `https://user:token@host/...` wherever it appears. */
export function redact(text: string): string {
  return text.replace(/([A-Za-z][A-Za-z0-9+.-]*:\/\/)[^/@\s]+@/g, '$1***@');
}
