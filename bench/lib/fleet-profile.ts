// What the parts of a wave cost on these hosts, measured apart after the deploys (untimed): a fresh
// ssh login, a command on an open connection, a Node.js start on the host, and the agent probe a
// deploy runs on every host before it talks to its agent.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { PROBE_SCRIPT } from '../../src/platform/remote/remote-agent.js';
import { quoteShellWord } from '../../src/platform/ssh/ssh-args.js';
import type { NamespaceHost } from '../../test/helpers/namespace-hosts.js';

/** Median milliseconds of each part on one host. */
export interface HostCosts {
  readonly login: number;
  readonly command: number;
  readonly node: number;
  readonly probe: number;
}

const ROUNDS = 5;

/** Measures each part ROUNDS times on `host` and keeps the medians. */
export async function hostCosts(host: NamespaceHost, sshConfig: string, scratch: string): Promise<HostCosts> {
  const control = mkdtempSync(join(scratch, 'cm-'));
  const base = ['-F', sshConfig, '-o', 'BatchMode=yes'];
  const shared = [
    ...base,
    '-o',
    'ControlMaster=auto',
    '-o',
    `ControlPath=${control}/m`,
    '-o',
    'ControlPersist=30',
  ];
  const target = `root@${host.address}`;
  const time = async (args: readonly string[]): Promise<number> => {
    const started = performance.now();
    await ssh(args);
    return performance.now() - started;
  };
  try {
    const login = await rounds(() => time([...base, target, 'true']));
    await ssh([...shared, target, 'true']);
    const command = await rounds(() => time([...shared, target, 'true']));
    const node = (await rounds(() => time([...shared, target, 'node -e 0']))) - command;
    const probe = await rounds(() =>
      time([...shared, target, ['sh', '-c', PROBE_SCRIPT, 'agent', host.dir].map(quoteShellWord).join(' ')]),
    );
    await ssh([...shared, '-O', 'exit', target]).catch(() => undefined);
    return { login, command, node, probe: probe - command };
  } finally {
    rmSync(control, { recursive: true, force: true });
  }
}

async function rounds(measure: () => Promise<number>): Promise<number> {
  const values: number[] = [];
  for (let i = 0; i < ROUNDS; i++) values.push(await measure());
  values.sort((a, b) => a - b);
  return Math.round(values[Math.floor(values.length / 2)] ?? 0);
}

function ssh(args: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/ssh', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (c: string) => {
      stderr += c;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`ssh ${args.at(-1)} exited ${code}: ${stderr.trim()}`));
    });
  });
}
