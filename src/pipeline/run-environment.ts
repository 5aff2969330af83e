/**
 * The environment a run executes in: its secrets (from the environment or .slipway/secrets.env)
 * and the masker that hides them, the base environment of its jobs, its run directory, and the
 * caches, artifacts and process runner of its project.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ResolvedConfig } from '../config/resolved.js';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from '../state-files/private-modes.js';
import type { Run } from '../store/store.js';
import { abortableSleep } from './abortable-sleep.js';
import type { ArtifactStore } from './artifacts/artifact-store.js';
import { cacheRoot, createCacheStore } from './cache/cache-store.js';
import type { ExecuteDeps } from './executor/execute-run.js';
import { LogSink } from './executor/log-sink.js';
import { openProcessJournal } from './executor/process-journal.js';
import type { PipelineDeps } from './pipeline-deps.js';
import { createLauncher } from './process/launcher.js';
import { spawnRunner } from './process/process-runner.js';
import type { RunSnapshot } from './run-snapshot.js';
import { createMasker } from './secrets/masker.js';
import { readSecretsFile } from './secrets/secrets-file.js';

/** Plans with at least this many nodes start their jobs through the launcher. */
const LAUNCHER_MIN_JOBS = 16;

/** Where a run keeps its files (process journal, job outputs). */
export function runDirOf(projectDir: string, runId: number): string {
  return join(projectDir, '.slipway', 'runs', String(runId));
}

/**
 * The artifact store, loaded on first use: it brings tinyglobby and picomatch, a few milliseconds
 * of start-up that a pipeline without artifacts need not pay before its first job.
 */
function lazyArtifactStore(projectDir: string): ArtifactStore {
  let store: Promise<ArtifactStore> | undefined;
  const load = () =>
    (store ??= import('./artifacts/artifact-store.js').then((m) =>
      m.createArtifactStore({ root: m.artifactsRoot(projectDir) }),
    ));
  return {
    collect: async (patterns, cwd) => (await load()).collect(patterns, cwd),
    materialize: async (manifest, cwd) => (await load()).materialize(manifest, cwd),
    verify: async (manifest) => (await load()).verify(manifest),
  };
}

/** Whether `value` (plain JSON data) holds the word hashFiles, in any case, in a key or a string. */
function namesHashFiles(value: unknown): boolean {
  if (typeof value === 'string') return /hashfiles/i.test(value);
  if (typeof value !== 'object' || value === null) return false;
  if (Array.isArray(value)) return value.some(namesHashFiles);
  return Object.entries(value).some(([key, item]) => /hashfiles/i.test(key) || namesHashFiles(item));
}

/**
 * `hashFiles()` runs synchronously inside expressions, so its module (tinyglobby and picomatch, a
 * few milliseconds to load) is loaded before the run starts, but only when the config names it
 * somewhere: every expression a run evaluates comes from its config, and function names are
 * case-insensitive.
 */
async function hashFilesFor(
  config: ResolvedConfig,
  projectDir: string,
): Promise<(patterns: string[]) => string> {
  if (!namesHashFiles(config)) {
    return () => {
      throw new Error('hashFiles() was called, but the config never names it');
    };
  }
  const { hashFiles } = await import('./artifacts/hash-files.js');
  return (patterns) => hashFiles(patterns, projectDir);
}

/** Sets up the run directory and everything the scheduler needs; the caller closes `processes`. */
export async function createRunEnvironment(
  deps: PipelineDeps,
  run: Run,
  snapshot: RunSnapshot,
): Promise<ExecuteDeps> {
  const hashFiles = await hashFilesFor(snapshot.config, snapshot.projectDir);
  const projectDir = snapshot.projectDir;
  const secretsFile = readSecretsFile(join(projectDir, '.slipway', 'secrets.env'));
  const secretNames = new Set(Object.values(snapshot.config.jobs).flatMap((j) => j.secrets));
  const secrets: Record<string, string> = {};
  for (const name of secretNames) {
    const value = deps.env[name] ?? secretsFile[name];
    if (value !== undefined) secrets[name] = value;
  }
  const masker = createMasker([...Object.values(secrets), ...Object.values(secretsFile)]);
  const baseEnv: Record<string, string> = {};
  for (const [k, v] of Object.entries(deps.env)) if (v !== undefined && !(k in secretsFile)) baseEnv[k] = v;
  Object.assign(baseEnv, {
    CI: baseEnv.CI ?? 'true',
    SLIPWAY: 'true',
    SLIPWAY_RUN_ID: String(run.id),
    SLIPWAY_PROJECT_DIR: projectDir,
  });
  const runDir = runDirOf(projectDir, run.id);
  mkdirSync(runDir, { recursive: true, mode: PRIVATE_DIR_MODE });
  // State, caches and secrets.env stay out of git without the user having to remember it.
  const ignore = join(projectDir, '.slipway', '.gitignore');
  if (!existsSync(ignore))
    writeFileSync(ignore, '# Slipway state: runs, logs, caches, artifacts, secrets.env\n*\n', {
      mode: PRIVATE_FILE_MODE,
    });
  const logs = new LogSink({
    store: deps.store,
    reporter: deps.reporter,
    masker,
    runId: run.id,
    clock: deps.clock,
  });
  const { slipwayCommand } = deps;
  return {
    store: deps.store,
    clock: deps.clock,
    reporter: deps.reporter,
    logs,
    concurrency: Math.max(1, deps.concurrency),
    pollMs: deps.pollMs ?? 300,
    baseEnv,
    secrets,
    git: deps.git,
    hashFiles,
    signal: deps.signal,
    approveCommand: (id, env) => `slipway approve ${id} ${env}`,
    ...(slipwayCommand
      ? {
          deployCommand: (env: string, services: readonly string[]) =>
            services
              .map((service) =>
                [...slipwayCommand, 'deploy', service, '--env', env].map(shellQuote).join(' '),
              )
              .join(' && '),
        }
      : {}),
    projectDir,
    runDir,
    journal: openProcessJournal(runDir),
    // Small pipelines spawn directly; from a few dozen jobs on, the launcher's cheaper starts win.
    processes:
      deps.spawnDirectly || snapshot.plan.nodes.length < LAUNCHER_MIN_JOBS
        ? spawnRunner()
        : createLauncher({ slots: Math.max(1, deps.concurrency) }),
    cache: createCacheStore({ root: cacheRoot(projectDir), clock: deps.clock }),
    artifacts: lazyArtifactStore(projectDir),
    graceMs: deps.graceMs ?? 5000,
    mask: (text) => masker.mask(text),
    sleep: abortableSleep,
    findings: {
      store: deps.store,
      run,
      projectDir,
      baselineBranch: snapshot.config.security?.baselineBranch ?? 'main',
      suppressions: snapshot.config.security?.suppressions ?? [],
      today: () => new Date(deps.clock.now()).toISOString().slice(0, 10),
    },
  };
}

/** Quotes a word for /bin/sh. */
function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
