// Stand-in deploy until Slipway's rollout controller exists. Usage: node scripts/deploy.mjs ENV
// Copies dist/ and package.json into .slipway/deployments/ENV/<timestamp>/, starts the service
// from there on a free port, waits (at most 5 s) for /healthz to answer 200 with the expected
// version, stops it with SIGTERM, and only then points .slipway/deployments/ENV/current at it.
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { basename, join, relative } from 'node:path';
import { CheckError, expect, root, runCheck, startServer, waitHealthy } from './_lib.mjs';

const HEALTH_TIMEOUT_MS = 5000;
const KEEP_RELEASES = 5;

runCheck('deploy', async () => {
  const env = process.argv[2];
  if (!env || !/^[a-z][a-z0-9_-]{0,31}$/.test(env)) {
    throw new CheckError(
      `usage: node scripts/deploy.mjs ENV (lower-case letters, digits, - and _), got ${env ?? 'nothing'}`,
    );
  }
  if (!existsSync(join(root, 'dist', 'server.js')))
    throw new CheckError('dist/server.js is missing: run the build first');
  // The version the service will report: APP_VERSION when set (as in src/app.ts), else package.json.
  const appVersion = process.env.APP_VERSION?.trim();
  const version = appVersion || JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;

  const envDir = join(root, '.slipway', 'deployments', env);
  const stamp = new Date().toISOString().replaceAll(':', '-').replace('.', '-');
  let release = join(envDir, stamp);
  for (let n = 1; existsSync(release); n += 1) release = join(envDir, `${stamp}-${n}`);
  mkdirSync(release, { recursive: true });
  cpSync(join(root, 'dist'), join(release, 'dist'), {
    recursive: true,
    filter: (src) => !src.endsWith('.test.js'),
  });
  cpSync(join(root, 'package.json'), join(release, 'package.json'));
  console.log(`copied dist/ to ${relative(root, release)}/`);

  const started = Date.now();
  const server = await startServer({
    entry: join(release, 'dist', 'server.js'),
    env: { APP_ENV: env, ...(appVersion ? { APP_VERSION: appVersion } : {}) },
    timeoutMs: HEALTH_TIMEOUT_MS,
  });
  let unhealthy;
  try {
    const health = await waitHealthy(server.url, Math.max(0, HEALTH_TIMEOUT_MS - (Date.now() - started)));
    expect(health.version === version, `/healthz reports version ${health.version}, expected ${version}`);
    console.log(`healthy at ${server.url}/healthz after ${Date.now() - started} ms`);
  } catch (error) {
    unhealthy = error;
  }
  const code = await server.stop();
  if (unhealthy) throw unhealthy;
  expect(code === 0, `service exited with ${code} after SIGTERM, expected 0:\n${server.output()}`);

  // Switch `current` atomically, then keep only the newest releases (never the current one).
  const pointer = join(envDir, 'current');
  writeFileSync(`${pointer}.tmp`, `${basename(release)}\n`);
  renameSync(`${pointer}.tmp`, pointer);
  const releases = readdirSync(envDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && entry.name !== basename(release))
    .map((entry) => entry.name)
    .sort();
  for (const old of releases.slice(0, Math.max(0, releases.length - (KEEP_RELEASES - 1)))) {
    rmSync(join(envDir, old), { recursive: true, force: true });
  }
  console.log(`${relative(root, pointer)} -> ${basename(release)}`);
  console.log(`deployed hello ${version} to ${env}`);
});
