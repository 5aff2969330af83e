/**
 * Git repositories holding a desired state, for the gitops tests: a project watching `desired/`
 * (its deploy/ folder holds slipway.yaml beside the fixture app), and a bare repository of one
 * commit for the private-repository tests.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type TestProject, testProject } from '../rollout/helpers.js';

const FIXTURE_APP = resolve(import.meta.dirname, '..', 'platform', 'fixtures', 'app');

/** A project whose gitops section watches its `desired/` repository, and how to commit there. */
export interface WatchingProject {
  readonly project: TestProject;
  readonly repo: string;
  /** Commits `yaml` as deploy/slipway.yaml on main; returns the commit. */
  commit(yaml: string, message: string): string;
}

/** `git` in `cwd` as a committer named Dev. */
export function gitIn(cwd: string) {
  return (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=Dev', '-c', 'user.email=dev@example.com', ...args], {
      cwd,
      encoding: 'utf8',
    });
}

/** Makes the project (prune and selfHeal on, a 30 s interval) and its empty desired repository. */
export function watchingProject(): WatchingProject {
  const project = testProject(
    'version: 1\ngitops:\n  repository: { url: desired, branch: main, path: /deploy }\n  sync: { interval: 30s, prune: true, selfHeal: true }\n',
  );
  const repo = join(project.dir, 'desired');
  mkdirSync(join(repo, 'deploy'), { recursive: true });
  cpSync(FIXTURE_APP, join(repo, 'deploy', 'app'), { recursive: true });
  execFileSync('git', ['init', '--quiet', '--initial-branch=main', repo]);
  const git = gitIn(repo);
  return {
    project,
    repo,
    commit: (yaml, message) => {
      writeFileSync(join(repo, 'deploy', 'slipway.yaml'), yaml);
      git('add', '-A');
      git('commit', '--quiet', '-m', message);
      return git('rev-parse', 'HEAD').trim();
    },
  };
}

/** `<root>/desired.git`: a bare repository whose one commit holds deploy/slipway.yaml (web in prod). */
export function bareDesiredRepository(root: string): string {
  const work = join(root, 'work');
  mkdirSync(join(work, 'deploy'), { recursive: true });
  writeFileSync(
    join(work, 'deploy', 'slipway.yaml'),
    'services:\n  web: { run: node web.js }\nenvironments:\n  prod: {}\n',
  );
  const git = gitIn(work);
  git('init', '--quiet', '--initial-branch=main');
  git('add', '-A');
  git('commit', '--quiet', '-m', 'desired');
  const bare = join(root, 'desired.git');
  execFileSync('git', ['clone', '--quiet', '--bare', work, bare]);
  return bare;
}
