// Checks the shape of src/ over its import graph: imports only point down the layers, no import
// cycle, no source file over 400 lines. Usage: node scripts/check-architecture.mjs [root]
// (exits 1 and lists every problem). test/architecture.test.ts runs it as part of `npm test`.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The layers, bottom first. A module may import modules of its own unit or of a unit with a lower
 * rank; units of equal rank may not import each other. A unit is the longest matching folder prefix.
 */
export const UNITS = [
  // kernel: what every domain may use
  { unit: 'errors', rank: 0, layer: 'kernel' },
  { unit: 'process', rank: 0, layer: 'kernel' },
  { unit: 'package', rank: 0, layer: 'kernel' },
  { unit: 'state-files', rank: 0, layer: 'kernel' },
  { unit: 'git', rank: 0, layer: 'kernel' },
  // bottom: the config language and the engines' building blocks, in their own order
  { unit: 'expression', rank: 1, layer: 'bottom' },
  // feature flags: flagd's definition format, its evaluation and OFREP; the config language reads them
  { unit: 'flags', rank: 1.5, layer: 'bottom' },
  // compliance policies: CEL rules over infrastructure changes; the config language checks them
  { unit: 'policy', rank: 1.6, layer: 'bottom' },
  // security findings: scanner reports (SARIF, OSV, npm audit) read into one model, gated and baselined
  { unit: 'findings', rank: 1.7, layer: 'bottom' },
  { unit: 'config', rank: 2, layer: 'bottom' },
  { unit: 'store', rank: 3, layer: 'bottom' },
  // notification channels (Slack, email, GitHub, webhooks): what domains and the server tell people through
  { unit: 'notifications', rank: 3.5, layer: 'bottom' },
  // flag definitions versioned in the event log, and the flag services rollouts drive (LaunchDarkly, Split, a command)
  { unit: 'flags/versions', rank: 3.6, layer: 'bottom' },
  { unit: 'flags/providers', rank: 3.6, layer: 'bottom' },
  { unit: 'platform', rank: 4, layer: 'bottom' },
  { unit: 'router', rank: 5, layer: 'bottom' },
  { unit: 'platform/health', rank: 6, layer: 'bottom' },
  { unit: 'platform/ssh', rank: 6, layer: 'bottom' },
  { unit: 'platform/edge', rank: 6, layer: 'bottom' },
  { unit: 'platform/local', rank: 7, layer: 'bottom' },
  // a host reached over SSH: its agent's control API through the connection, revisions shipped to it
  { unit: 'platform/remote', rank: 7.5, layer: 'bottom' },
  // middle: the domains; infrastructure (Terraform, Kubernetes, Helm) is provisioned by the pipeline's deploy stage
  { unit: 'infra', rank: 7.8, layer: 'middle' },
  // database snapshots and data rollback: the deploy stage and `slipway rollback --data` use them
  { unit: 'databases', rank: 7.8, layer: 'middle' },
  { unit: 'pipeline', rank: 8, layer: 'middle' },
  { unit: 'rollout', rank: 8, layer: 'middle' },
  { unit: 'release', rank: 8, layer: 'middle' },
  // compliance: the evidence an auditor asks for, read from the event log
  { unit: 'compliance', rank: 8, layer: 'middle' },
  // scanners that produce findings: dependencies (lockfiles, installed trees) against OSV advisories
  { unit: 'scanners', rank: 8, layer: 'middle' },
  { unit: 'access', rank: 8, layer: 'middle' },
  { unit: 'projects', rank: 8, layer: 'middle' },
  { unit: 'metrics', rank: 8, layer: 'middle' },
  // GitOps drives the rollouts of the desired state: above the domains it uses
  { unit: 'gitops', rank: 8.5, layer: 'middle' },
  // top: the two front ends
  { unit: 'server', rank: 9, layer: 'top' },
  { unit: 'cli', rank: 9, layer: 'top' },
];

/** Imports allowed across units of equal rank: the CLI's `server` command starts the server. */
export const ALLOWED = [
  { from: /^cli\/commands\/server(-[a-z-]+)?\.ts$/, to: /^server\/(create-server|server-error)\.ts$/ },
];

/** Longest unit whose folder holds `file` (a path relative to src/), or undefined. */
export function unitOf(file) {
  let best;
  for (const u of UNITS) {
    if ((file === u.unit || file.startsWith(`${u.unit}/`)) && (!best || u.unit.length > best.unit.length))
      best = u;
  }
  return best;
}

const MAX_LINES = 400;
const IMPORT =
  /(?:^|[\s;])(?:import|export)\s[^'"`;]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s*['"]([^'"]+)['"]/gm;

function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path, out);
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts') && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/** The relative imports of every non-test source file under `srcDir`: Map<file, Set<file>> (paths relative to srcDir). */
export function importGraph(srcDir) {
  const graph = new Map();
  for (const path of walk(srcDir, [])) {
    const from = relative(srcDir, path);
    const targets = new Set();
    for (const m of readFileSync(path, 'utf8').matchAll(IMPORT)) {
      const spec = m[1] ?? m[2] ?? m[3];
      if (!spec?.startsWith('.')) continue;
      targets.add(relative(srcDir, resolve(dirname(path), spec)).replace(/\.js$/, '.ts'));
    }
    graph.set(from, targets);
  }
  return graph;
}

/** Every import cycle, each as the list of files around it (one representative per strongly connected component). */
export function findCycles(graph) {
  // Tarjan's strongly connected components, iterative so deep graphs cannot overflow the stack.
  let index = 0;
  const indices = new Map();
  const low = new Map();
  const onStack = new Set();
  const stack = [];
  const cycles = [];
  for (const root of graph.keys()) {
    if (indices.has(root)) continue;
    const work = [{ node: root, edges: [...(graph.get(root) ?? [])], i: 0 }];
    indices.set(root, index);
    low.set(root, index++);
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const frame = work[work.length - 1];
      if (frame.i < frame.edges.length) {
        const next = frame.edges[frame.i++];
        if (!graph.has(next)) continue;
        if (!indices.has(next)) {
          indices.set(next, index);
          low.set(next, index++);
          stack.push(next);
          onStack.add(next);
          work.push({ node: next, edges: [...(graph.get(next) ?? [])], i: 0 });
        } else if (onStack.has(next)) {
          low.set(frame.node, Math.min(low.get(frame.node), indices.get(next)));
        }
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1].node;
        low.set(parent, Math.min(low.get(parent), low.get(frame.node)));
      }
      if (low.get(frame.node) === indices.get(frame.node)) {
        const component = [];
        let member;
        do {
          member = stack.pop();
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.node);
        if (component.length > 1 || graph.get(frame.node)?.has(frame.node)) cycles.push(component.sort());
      }
    }
  }
  return cycles;
}

/** Every problem in the tree under `root`, as human-readable lines (empty when the shape holds). */
export function checkArchitecture(root) {
  const srcDir = join(root, 'src');
  const graph = importGraph(srcDir);
  const problems = [];
  for (const [from, targets] of graph) {
    const lines = readFileSync(join(srcDir, from), 'utf8').split('\n').length - 1;
    if (lines > MAX_LINES) problems.push(`src/${from}: ${lines} lines (at most ${MAX_LINES})`);
    const a = unitOf(from);
    if (!a) {
      problems.push(`src/${from}: in no layer (add its folder to UNITS in scripts/check-architecture.mjs)`);
      continue;
    }
    for (const to of targets) {
      const b = unitOf(to);
      if (!b || a.unit === b.unit) continue;
      if (b.rank < a.rank) continue;
      if (ALLOWED.some((r) => r.from.test(from) && r.to.test(to))) continue;
      const how = b.rank === a.rank ? 'sideways' : 'up';
      problems.push(
        `src/${from} imports src/${to}: ${a.unit} (${a.layer}) may not import ${b.unit} (${b.layer}), that points ${how}`,
      );
    }
  }
  for (const cycle of findCycles(graph))
    problems.push(`import cycle: ${cycle.map((f) => `src/${f}`).join(' <-> ')}`);
  return problems;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..'));
  const problems = checkArchitecture(root);
  for (const p of problems) process.stderr.write(`${p}\n`);
  if (problems.length > 0) {
    process.stderr.write(`check-architecture: ${problems.length} problem(s)\n`);
    process.exit(1);
  }
  process.stdout.write('check-architecture: imports point down, no cycles, no file over 400 lines\n');
}
