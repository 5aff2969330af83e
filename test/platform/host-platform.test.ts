/**
 * Runs the Platform contract suite against a HostPlatform: one namespace host (a real sshd in its
 * own network namespace) with this Slipway installed by the host-setup code path, its agent started
 * over SSH and driven through a socket forwarded over the one SSH connection.
 */
import { test } from 'node:test';
import { createNamespaceHosts, namespaceHostsSkip } from '../helpers/namespace-hosts.js';
import { fixtureService, tempProject } from './helpers.js';
import { platformContract } from './platform-contract.js';
import { assertBuilt, hostPlatform, installSlipway, transportTo, trustAll } from './remote-hosts.js';

/** Starts a server on a free port of the host in the background; prints `PID PORT`. */
const HOLD_PORT = `F=$(mktemp)
setsid node -e 'const s=require("net").createServer();s.listen(0,"0.0.0.0",()=>require("fs").writeFileSync(process.argv[1],process.pid+" "+s.address().port))' "$F" </dev/null >/dev/null 2>&1 &
i=0; while [ ! -s "$F" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done
cat "$F"; rm -f "$F"`;

const skip = namespaceHostsSkip();
if (skip) test('Platform contract: ssh host', { skip }, () => {});
else
  platformContract('ssh host', async () => {
    assertBuilt();
    const lab = await createNamespaceHosts(1);
    const project = tempProject();
    try {
      const host = lab.hosts[0]!;
      const knownHosts = trustAll(lab);
      const setup = transportTo(lab, host, knownHosts);
      try {
        await installSlipway(setup, host);
      } finally {
        await setup.close();
      }
      const platform = hostPlatform(lab, host, knownHosts, project.stateDir);
      await platform.connect();
      return {
        platform,
        baseDir: project.dir,
        service: fixtureService,
        // The host has loopback of its own: this machine's databases are not there.
        localServices: undefined,
        // This machine is the root side of the host's link: the host's address ending in .1.
        thisMachine: host.address.replace(/\.\d+$/, '.1'),
        // A port held on the host, where its services listen: a node server started over SSH.
        occupyPort: async () => {
          const held = await platform.transport.run(['sh', '-c', HOLD_PORT]);
          const [pid, port] = held.stdout.trim().split(' ').map(Number);
          return {
            port: port as number,
            release: async () => {
              await platform.transport.run(['kill', String(pid)], { check: false });
            },
          };
        },
        close: async () => {
          await platform.close();
          await lab.cleanup();
          project.cleanup();
        },
      };
    } catch (error) {
      await lab.cleanup();
      project.cleanup();
      throw error;
    }
  });
