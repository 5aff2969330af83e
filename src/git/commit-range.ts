// The commits a deploy brings: read from the project's git repository when the deploy happens,
// so that lead time never needs the repository again.
import { execFile } from 'node:child_process';

/** A commit by SHA and commit time (epoch ms). */
export interface CommitStamp {
  readonly sha: string;
  readonly time: number;
}

/** The most commits one deploy records; older ones in a longer range are left out. */
export const MAX_COMMITS = 1000;
const TIMEOUT_MS = 10_000;
const SHA = /^[0-9a-f]{4,64}$/;

function gitLog(cwd: string, args: readonly string[]): Promise<CommitStamp[] | null> {
  return new Promise((resolve) => {
    const child = execFile(
      'git',
      ['log', '--no-color', `--max-count=${MAX_COMMITS}`, '--format=%H %ct', ...args],
      { cwd, encoding: 'utf8', timeout: TIMEOUT_MS, maxBuffer: 8 * 1024 * 1024 },
      (error, stdout) => {
        if (error) return resolve(null);
        const commits: CommitStamp[] = [];
        for (const line of stdout.split('\n')) {
          const [sha, seconds] = line.split(' ');
          if (sha && SHA.test(sha) && seconds) commits.push({ sha, time: Number(seconds) * 1000 });
        }
        resolve(commits);
      },
    );
    child.stdin?.end();
  });
}

/**
 * The commits in `to` that `from` does not have (`git log from..to`), newest first. With no `from`
 * (a first deploy), or when `from` is unknown to the repository, just `to` itself. Outside a
 * repository, or when `to` is unknown, an empty list. Never rejects.
 */
export async function commitsBetween(cwd: string, from: string | null, to: string): Promise<CommitStamp[]> {
  if (!SHA.test(to)) return [];
  if (from !== null && SHA.test(from) && from !== to) {
    const range = await gitLog(cwd, [`${from}..${to}`, '--']);
    if (range !== null) return range;
  }
  if (from === to) return [];
  return (await gitLog(cwd, ['-1', to, '--'])) ?? [];
}
