// Helpers shared by the check scripts: run a check, start the compiled server, make requests.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The example's root directory (examples/hello), whatever the current directory. */
export const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** A failed check: printed without a stack trace. */
export class CheckError extends Error {}

/** Runs main(), prints `<name>: FAIL ...` and exits 1 on any error, else exits 0. */
export function runCheck(name, main) {
  const started = performance.now();
  Promise.resolve()
    .then(main)
    .then(
      () => {
        console.log(`${name}: ok (${Math.round(performance.now() - started)} ms)`);
        process.exit(0);
      },
      (error) => {
        const detail = error instanceof CheckError ? error.message : (error?.stack ?? String(error));
        console.error(`${name}: FAIL ${detail}`);
        process.exit(1);
      },
    );
}

const children = new Set();
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

/**
 * Starts dist/server.js (or `entry`) on a free loopback port (PORT=0) and resolves once it prints
 * `listening on http://HOST:PORT`. Returns its base URL, a stop() that sends SIGTERM and resolves
 * with the exit code, and the output so far.
 */
export function startServer({ entry = join(root, 'dist', 'server.js'), env = {}, timeoutMs = 5000 } = {}) {
  if (!existsSync(entry)) {
    throw new CheckError(`${relative(process.cwd(), entry)} is missing: run the build first`);
  }
  // A stray APP_VERSION in the caller's environment must not change what the checks expect.
  const { APP_VERSION: _ignored, ...inherited } = process.env;
  const child = spawn(process.execPath, [entry], {
    env: { ...inherited, PORT: '0', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let output = '';
  const exited = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      children.delete(child);
      resolve(code ?? signal);
    });
  });
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => {
    output += chunk;
  });
  const ready = new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new CheckError(`server did not start within ${timeoutMs} ms:\n${output}`)),
      timeoutMs,
    );
    child.stdout.on('data', (chunk) => {
      output += chunk;
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    exited.then((code) => {
      clearTimeout(timer);
      reject(new CheckError(`server exited (${code}) before listening:\n${output}`));
    });
  });
  return ready.then((url) => ({
    url,
    child,
    exited,
    output: () => output,
    /** Sends SIGTERM and resolves with the exit code; SIGKILLs and fails after `graceMs`. */
    async stop(graceMs = 5000) {
      child.kill('SIGTERM');
      let timer;
      const timeout = new Promise((_, reject) => {
        timer = setTimeout(() => {
          child.kill('SIGKILL');
          reject(new CheckError(`server did not exit within ${graceMs} ms of SIGTERM:\n${output}`));
        }, graceMs);
      });
      try {
        return await Promise.race([exited, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
  }));
}

/**
 * GET (or `method`) a URL; resolves with status, headers and the body text. Never follows redirects.
 * `onContinue` is called when the server answers `100 Continue` (send `expect: 100-continue`).
 */
export function httpRequest(url, { method = 'GET', agent, headers = {}, timeoutMs = 3000, onContinue } = {}) {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, agent, headers, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new CheckError(`${method} ${url} timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
    if (onContinue) req.on('continue', onContinue);
    req.end();
  });
}

/** Parses a JSON body, failing the check with the body when it is not JSON. */
export function parseJson(response, what) {
  try {
    return JSON.parse(response.body);
  } catch {
    throw new CheckError(`${what}: body is not JSON: ${response.body.slice(0, 200)}`);
  }
}

/** Polls `${url}/healthz` until it answers 200; fails after timeoutMs. Resolves with the parsed body. */
export async function waitHealthy(url, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    try {
      const res = await httpRequest(`${url}/healthz`, { timeoutMs: 1000 });
      if (res.status === 200) return parseJson(res, 'GET /healthz');
      last = `status ${res.status}`;
    } catch (error) {
      last = error.message;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new CheckError(`/healthz did not answer 200 within ${timeoutMs} ms (last: ${last})`);
}

/** Fails the check with `message` unless `condition` holds. */
export function expect(condition, message) {
  if (!condition) throw new CheckError(message);
}
