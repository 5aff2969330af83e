/**
 * One small HTTP server per namespace host, answering every request with `<region> <host>` so a
 * client can tell from the body where the edge sent it; and the readiness of those servers as the
 * failover loop reads it, by a TCP connect to each upstream that must succeed within a short time.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RegionReadiness } from '../../src/rollout/fleet/failover-loop.js';
import type { NamespaceHost } from './namespace-hosts.js';

/** The port every region server listens on, inside its own namespace. */
export const REGION_SERVER_PORT = 8080;

// Runs inside the namespace as `node -e SERVER addr port region host`.
const SERVER = `
const [address, port, region, host] = process.argv.slice(1);
const body = region + ' ' + host + '\\n';
const server = require('node:http').createServer((req, res) => {
  req.resume();
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) });
  res.end(body);
});
server.listen(Number(port), address, () => process.stdout.write('listening\\n'));
process.on('SIGTERM', () => process.exit(0));
`;

/** A region server's place: the host it runs on and the region it answers for. */
export interface RegionServerSpec {
  readonly region: string;
  readonly host: NamespaceHost;
}

/** The running servers. */
export interface RegionServers {
  /** `address:port` of each server, by region, in the order given. */
  readonly upstreams: Readonly<Record<string, readonly string[]>>;
  /** Stops every server (SIGTERM, then SIGKILL); safe to call twice. */
  close(): Promise<void>;
}

function startOne(spec: RegionServerSpec): { child: ChildProcess; listening: Promise<void> } {
  const child = spawn(
    'ip',
    [
      'netns',
      'exec',
      spec.host.namespace,
      process.execPath,
      '-e',
      SERVER,
      spec.host.address,
      String(REGION_SERVER_PORT),
      spec.region,
      spec.host.name,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const listening = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`server on ${spec.host.name} did not start: ${output}`)),
      5000,
    );
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk;
      if (output.includes('listening')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk;
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`server on ${spec.host.name} exited (${code ?? signal}): ${output}`));
    });
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
  // The rejection after a successful start (the server stopped) is nobody's concern.
  listening.catch(() => {});
  return { child, listening };
}

/** Starts a server on each host of `specs` and waits until every one listens. */
export async function startRegionServers(specs: readonly RegionServerSpec[]): Promise<RegionServers> {
  const children: ChildProcess[] = [];
  const close = async (): Promise<void> => {
    for (const child of children)
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const deadline = Date.now() + 2000;
    while (children.some((c) => c.exitCode === null && c.signalCode === null) && Date.now() < deadline)
      await sleep(20);
    for (const child of children)
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  const upstreams: Record<string, string[]> = {};
  try {
    const started = specs.map((spec) => {
      const one = startOne(spec);
      children.push(one.child);
      upstreams[spec.region] = [
        ...(upstreams[spec.region] ?? []),
        `${spec.host.address}:${REGION_SERVER_PORT}`,
      ];
      return one.listening;
    });
    await Promise.all(started);
  } catch (error) {
    await close();
    throw error;
  }
  return { upstreams, close };
}

/** True when a TCP connection to `upstream` (`address:port`) opens within `timeoutMs`. */
export function canConnect(upstream: string, timeoutMs: number): Promise<boolean> {
  const at = upstream.lastIndexOf(':');
  const host = upstream.slice(0, at);
  const port = Number(upstream.slice(at + 1));
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** The readiness source of the failover loop: per region, how many of its upstreams accept a connection. */
export function upstreamReadiness(
  upstreams: Readonly<Record<string, readonly string[]>>,
  timeoutMs: number,
): () => Promise<Record<string, RegionReadiness>> {
  return async () => {
    const entries = await Promise.all(
      Object.entries(upstreams).map(async ([region, list]) => {
        const ok = await Promise.all(list.map((upstream) => canConnect(upstream, timeoutMs)));
        return [region, { ready: ok.filter(Boolean).length, desired: list.length }] as const;
      }),
    );
    return Object.fromEntries(entries);
  };
}
