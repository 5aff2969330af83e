// The floor a fleet deploy is held against: the same revision copied to every host at once with
// `tar | ssh` (one fresh connection each), one instance started on each, and the time until every
// one answers HTTP. Nothing of Slipway's runs in it.
import { spawn } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { NamespaceHost } from '../../test/helpers/namespace-hosts.js';

/** Where the floor's copy lives on each host, and the port its instance listens on. */
export const FLOOR_PORT = 18080;
const floorDir = (host: NamespaceHost) => `${host.dir}/floor`;

/** One host's part of the floor, milliseconds from the start. */
export interface FloorHost {
  readonly host: string;
  readonly shippedMs: number;
  readonly answeredMs: number;
  readonly pid: number;
}

/** The floor of one run. */
export interface Floor {
  readonly ms: number;
  readonly hosts: readonly FloorHost[];
}

/** Copies `source` to every host in parallel, starts `node dist/server.js` there, waits for HTTP. */
export async function measureFloor(
  hosts: readonly NamespaceHost[],
  source: string,
  sshConfig: string,
  timeoutMs: number,
): Promise<Floor> {
  const started = Date.now();
  const results = await Promise.all(
    hosts.map(async (host) => {
      const dir = floorDir(host);
      const remote =
        `rm -rf ${dir} && mkdir -p ${dir} && tar -C ${dir} -xf - && cd ${dir} && ` +
        `{ HOST=0.0.0.0 PORT=${FLOOR_PORT} setsid nohup node dist/server.js </dev/null >floor.log 2>&1 & echo $!; }`;
      const out = await pipe(
        `tar -C '${source}' -cf - . | ssh -F '${sshConfig}' -o BatchMode=yes root@${host.address} '${remote}'`,
        timeoutMs,
      );
      const shippedMs = Date.now() - started;
      const pid = Number(out.trim());
      await waitHttp(`http://${host.address}:${FLOOR_PORT}/healthz`, started + timeoutMs).catch(
        async (error: Error) => {
          const said = await readFile(`${dir}/floor.log`, 'utf8').catch(() => 'no floor.log');
          throw new Error(`${error.message} (${host.name}: ${said.trim()})`);
        },
      );
      return { host: host.name, shippedMs, answeredMs: Date.now() - started, pid };
    }),
  );
  return { ms: Date.now() - started, hosts: results };
}

/** Stops the floor's instances (by the pids they reported) and removes their copies. */
export async function stopFloor(hosts: readonly NamespaceHost[], floor: Floor | undefined): Promise<void> {
  for (const h of floor?.hosts ?? []) {
    try {
      if (h.pid > 0) process.kill(h.pid, 'SIGTERM');
    } catch {
      // Already gone.
    }
  }
  await Promise.all(hosts.map((host) => rm(floorDir(host), { recursive: true, force: true })));
}

function pipe(command: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', command], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      stdout += c;
    });
    child.stderr.setEncoding('utf8').on('data', (c: string) => {
      stderr += c;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(stdout);
      else reject(new Error(`floor copy failed (${code}): ${stderr.trim()}`));
    });
  });
}

async function waitHttp(url: string, deadline: number): Promise<void> {
  for (;;) {
    if (await answers(url)) return;
    if (Date.now() > deadline) throw new Error(`${url} did not answer in time`);
    await sleep(20);
  }
}

function answers(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(url, { agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode === 200));
      res.on('error', () => resolve(false));
    });
    req.setTimeout(500, () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}
