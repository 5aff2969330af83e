/**
 * Prepares one host to run Slipway, over its SSH transport only: checks Node.js and the tools
 * shipping needs on the login PATH, ships the package's runtime files content-addressed into the
 * host's folder, points `<dir>/current` at that revision (a symlink swapped atomically), and checks
 * that `node <dir>/current/bin/slipway.js --version` prints the expected version. It does not start
 * the agent; deploy does.
 */
import semver from 'semver';
import { HostSetupError } from './host-setup-errors.js';
import { type ShipOptions, type ShipResult, type ShipSource, shipRevision } from './ship-revision.js';
import { SHIP_TOOLS } from './ship-scripts.js';
import { describeTarget } from './ssh-target.js';
import type { RemoteResult, SshTransport } from './ssh-transport.js';

/** What the check found on the host. */
export interface HostFacts {
  readonly home: string;
  /** `node --version` as printed (`v20.19.0`), or undefined when `node` is not on the PATH. */
  readonly node: string | undefined;
  readonly missingTools: readonly string[];
}

/** Runs as `sh -c SCRIPT setup`: prints `home`, `node VERSION` or `node-missing`, and `tools-missing NAME...`. */
export const CHECK_SCRIPT = `set -u
echo "home $HOME"
if command -v node >/dev/null 2>&1; then echo "node $(node --version 2>&1)"; else echo node-missing; fi
missing=
for t in ${SHIP_TOOLS.join(' ')}; do
  command -v "$t" >/dev/null 2>&1 || missing="$missing $t"
done
echo "tools-missing$missing"
`;

/** $1 = D, $2 = digest: points D/current at revisions/DIGEST by renaming a fresh symlink over it. */
export const POINT_CURRENT_SCRIPT = `set -eu
D=$1 R=$2
[ -f "$D/revisions/$R/.complete" ] || { echo "revision $R is not complete under $D" >&2; exit 1; }
t="$D/.current.$$"
ln -sfn "revisions/$R" "$t"
mv -T "$t" "$D/current"
`;

// The Debian package holding each tool shipping needs.
const DEBIAN_PACKAGE: Readonly<Record<string, string>> = { tar: 'tar', find: 'findutils' };

/** The facts in the check script's answer; undefined when it is not one. */
export function parseHostFacts(stdout: string): HostFacts | undefined {
  const lines = stdout.split('\n');
  const value = (keyword: string) =>
    lines.find((l) => l === keyword || l.startsWith(`${keyword} `))?.slice(keyword.length + 1);
  const home = value('home');
  const tools = value('tools-missing');
  if (home === undefined || tools === undefined) return undefined;
  const node = lines.includes('node-missing') ? undefined : (value('node') ?? '').trim();
  return { home, node, missingTools: tools.split(' ').filter((t) => t !== '') };
}

/** What the host lacks, each with how to install it on Debian; empty when it is ready. */
export function missingOnHost(facts: HostFacts, nodeRange: string): string[] {
  const lacks: string[] = [];
  const version = facts.node === undefined ? null : semver.coerce(facts.node);
  if (version === null || !semver.satisfies(version, nodeRange)) {
    const range = nodeRange.replace(/^>=\s*/, '>= ');
    lacks.push(
      `Node.js ${range} on its PATH (found: ${facts.node === undefined ? 'none' : facts.node || 'a node that printed no version'}); ` +
        'install it, e.g. apt-get install nodejs (Debian 13; NodeSource packages on older releases)',
    );
  }
  if (facts.missingTools.length > 0) {
    const packages = [...new Set(facts.missingTools.map((t) => DEBIAN_PACKAGE[t] ?? 'coreutils'))].sort();
    lacks.push(
      `${facts.missingTools.join(', ')} on its PATH (needed to ship files); install ${facts.missingTools.length === 1 ? 'it' : 'them'}, e.g. apt-get install ${packages.join(' ')}`,
    );
  }
  return lacks;
}

/** `dir` with a leading `~` replaced by the host's HOME. */
export function expandHome(dir: string, home: string): string {
  if (dir === '~') return home;
  return dir.startsWith('~/') ? `${home.replace(/\/+$/, '')}/${dir.slice(2)}` : dir;
}

/** Checks the host; throws `HOST_SETUP_NOT_READY` naming everything it lacks. */
export async function checkHost(
  transport: SshTransport,
  nodeRange: string,
  options: ShipOptions = {},
): Promise<HostFacts> {
  const who = describeTarget(transport.target);
  const result = await transport.run(['sh', '-c', CHECK_SCRIPT, 'setup'], {
    timeoutMs: options.timeoutMs ?? 60_000,
    signal: options.signal,
  });
  const facts = parseHostFacts(result.stdout);
  if (facts === undefined) throw unexpected(transport, 'the check', result);
  const lacks = missingOnHost(facts, nodeRange);
  if (lacks.length > 0)
    throw new HostSetupError(
      'HOST_SETUP_NOT_READY',
      transport.target.name,
      `host ${who} lacks ${lacks.join('; and ')}`,
      { missing: lacks.map((l) => l.split(' on its PATH')[0] as string) },
    );
  return facts;
}

function unexpected(transport: SshTransport, what: string, result: RemoteResult): HostSetupError {
  const said = (result.stderr.trim() || result.stdout.trim() || 'no output').slice(0, 500);
  return new HostSetupError(
    'HOST_SETUP_CHECK_FAILED',
    transport.target.name,
    `unexpected answer from ${describeTarget(transport.target)} to ${what} (exit code ${result.exitCode}): ${said}`,
  );
}

/** What `setupHost` did. */
export interface HostSetupResult {
  readonly host: string;
  /** `node --version` on the host. */
  readonly node: string;
  /** The host's folder, `~` expanded. */
  readonly dir: string;
  readonly ship: ShipResult;
  /** `<dir>/current`, the symlink now pointing at the revision. */
  readonly path: string;
  readonly revisionPath: string;
  /** What `node <path>/bin/slipway.js --version` printed there. */
  readonly version: string;
}

/** Checks, ships, points `current` and checks the version; throws `HostSetupError`, `ShipError` or `SshError`. */
export async function setupHost(
  transport: SshTransport,
  request: {
    readonly dir: string;
    readonly nodeRange: string;
    readonly version: string;
    /** Called after the check passed, so nothing is staged for a host that is not ready. */
    readonly source: (facts: HostFacts) => Promise<ShipSource>;
  },
  options: ShipOptions = {},
): Promise<HostSetupResult> {
  const facts = await checkHost(transport, request.nodeRange, options);
  const dir = expandHome(request.dir, facts.home);
  const source = await request.source(facts);
  const ship = await shipRevision(transport, source, dir, options);
  const run = { timeoutMs: options.timeoutMs ?? 60_000, signal: options.signal };
  await transport.run(['sh', '-c', POINT_CURRENT_SCRIPT, 'setup', dir, ship.digest], run);
  const path = `${dir}/current`;
  const check = await transport.run(['node', `${path}/bin/slipway.js`, '--version'], {
    ...run,
    check: false,
  });
  const printed = check.stdout.trim();
  if (check.exitCode !== 0 || printed !== request.version) {
    const said = [printed, check.stderr.trim()].filter((s) => s !== '').join(' / ') || 'nothing';
    throw new HostSetupError(
      'HOST_SETUP_VERSION_MISMATCH',
      transport.target.name,
      `slipway installed on ${describeTarget(transport.target)} does not run as expected: ` +
        `\`node ${path}/bin/slipway.js --version\` exited ${check.exitCode} and printed ${said.slice(0, 500)} (expected ${request.version})`,
    );
  }
  return {
    host: transport.target.name,
    node: facts.node ?? '',
    dir,
    ship,
    path,
    revisionPath: `${dir}/revisions/${ship.digest}`,
    version: printed,
  };
}
