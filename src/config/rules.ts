/**
 * Cross-field rules the schema alone cannot express: job ids unique and defined, one stage
 * per job, `needs` acyclic and consistent with stage order, environments listed once; the
 * service rules are in service-rules.ts, the fleet's (hosts, regions) in fleet-rules.ts,
 * environments' `protection:` in protection-rules.ts.
 */
import type { ConfigOutput } from './config-schema.js';
import { deploysServices } from './deploy-targets.js';
import type { ConfigPath, Diagnostic } from './diagnostic.js';
import { checkFleetRules } from './fleet-rules.js';
import type { JobDefinition } from './normalize.js';
import { checkProtectionRules } from './protection-rules.js';
import type { ResolvedConfig } from './resolved.js';
import { pos, ruleDiagnostics } from './rule-diagnostics.js';
import { checkServiceRules } from './service-rules.js';
import type { ConfigSource, Position } from './source.js';
import { didYouMean } from './suggest.js';

/** Runs every cross-field rule and returns errors and warnings. */
export function checkRules(
  config: ConfigOutput,
  definitions: readonly JobDefinition[],
  resolved: ResolvedConfig,
  source: ConfigSource,
): Diagnostic[] {
  const { out, error, warning } = ruleDiagnostics(source);

  // Job shape and unique ids.
  const firstDefinition = new Map<string, JobDefinition>();
  for (const def of definitions) {
    const inline = def.path[0] === 'pipeline';
    const idPath = inline ? [...def.path, 'name'] : def.path;
    const first = firstDefinition.get(def.id);
    if (first) {
      const firstAt =
        inline || first.path[0] === 'pipeline'
          ? source.valueAt([...first.path, 'name'])
          : source.keyAt(first.path);
      error(
        idPath,
        `duplicate job id '${def.id}' (first defined at ${pos(first.path[0] === 'jobs' ? source.keyAt(first.path) : firstAt)})`,
        inline ? source.valueAt(idPath) : source.keyAt(idPath),
      );
    } else firstDefinition.set(def.id, def);
    if (def.job.run === undefined && def.job.steps === undefined) {
      error(
        def.path,
        `job '${def.id}' has nothing to run: give it \`run\` or \`steps\``,
        source.keyAt(def.path),
      );
    } else if (def.job.run !== undefined && def.job.steps !== undefined) {
      error(
        [...def.path, 'steps'],
        'use either `run` or `steps`, not both',
        source.keyAt([...def.path, 'steps']),
      );
    }
    checkMatrix(def, error, source);
  }
  const jobIds = [...firstDefinition.keys()];

  // Stages: one kind each, unique names, defined jobs, each job in one stage.
  const stageNames = new Map<string, number>();
  const stageOfJob = new Map<string, { stage: string; index: number }>();
  const environments = new Map<string, ConfigPath>();
  config.pipeline?.stages.forEach((stage, s) => {
    const path: ConfigPath = ['pipeline', 'stages', s];
    const kinds = (['parallel', 'steps', 'environments'] as const).filter((k) => stage[k] !== undefined);
    if (kinds.length === 0)
      error(path, `stage '${stage.name}' is empty: give it \`parallel\`, \`steps\` or \`environments\``);
    if (kinds.length > 1)
      error(
        [...path, kinds[1]!],
        `a stage has one of \`parallel\`, \`steps\` or \`environments\`, not both \`${kinds[0]}\` and \`${kinds[1]}\``,
        source.keyAt([...path, kinds[1]!]),
      );
    const earlier = stageNames.get(stage.name);
    if (earlier !== undefined)
      error(
        [...path, 'name'],
        `duplicate stage name '${stage.name}' (first at ${pos(source.valueAt(['pipeline', 'stages', earlier, 'name']))})`,
      );
    else stageNames.set(stage.name, s);
    for (const kind of ['parallel', 'steps'] as const) {
      stage[kind]?.forEach((ref, i) => {
        const refPath = [...path, kind, i];
        const id = typeof ref === 'string' ? ref : ref.name;
        if (typeof ref === 'string' && !firstDefinition.has(id)) {
          error(refPath, `unknown job '${id}'${didYouMean(id, jobIds)}`);
          return;
        }
        if (typeof ref !== 'string' && firstDefinition.get(id)?.path.join('/') !== refPath.join('/')) return;
        const seen = stageOfJob.get(id);
        if (seen) {
          const where =
            seen.stage === stage.name
              ? 'is listed twice in this stage'
              : `is already in stage '${seen.stage}'`;
          error(typeof ref === 'string' ? refPath : [...refPath, 'name'], `job '${id}' ${where}`);
        } else stageOfJob.set(id, { stage: stage.name, index: s });
      });
    }
    stage.environments?.forEach((entry, i) => {
      const entryPath = [...path, 'environments', i];
      const names = Object.keys(entry);
      if (names.length !== 1) {
        error(
          entryPath,
          `an environment entry names exactly one environment, got ${names.length === 0 ? 'none' : names.map((n) => `'${n}'`).join(', ')}`,
        );
      }
      for (const name of names) {
        const envPath = [...entryPath, name];
        const first = environments.get(name);
        if (first)
          error(
            envPath,
            `environment '${name}' is listed twice (first at ${pos(source.keyAt(first))})`,
            source.keyAt(envPath),
          );
        else environments.set(name, envPath);
      }
    });
  });
  const warned = new Set<string>();
  for (const stage of resolved.stages) {
    if (stage.kind !== 'deploy') continue;
    for (const env of stage.environments) {
      if (env.run === undefined && !deploysServices(resolved, env.name) && !warned.has(env.name)) {
        warned.add(env.name);
        warning(
          env.path,
          `environment '${env.name}' deploys nothing: give it a \`run\` command`,
          source.keyAt(env.path),
        );
      }
    }
  }

  // needs: defined, not self, staged, not later, acyclic.
  const needProblem = (id: string, need: string): string | undefined => {
    if (need === id) return `job '${id}' cannot need itself`;
    if (!firstDefinition.has(need)) return `needs unknown job '${need}'${didYouMean(need, jobIds)}`;
    if (!resolved.explicitPipeline) return undefined;
    const mine = stageOfJob.get(id);
    const theirs = stageOfJob.get(need);
    if (theirs === undefined) return `needs '${need}', which is in no stage and so never runs`;
    if (mine !== undefined && theirs.index > mine.index)
      return `needs '${need}', which runs in a later stage ('${theirs.stage}')`;
    return undefined;
  };
  for (const def of definitions) {
    if (firstDefinition.get(def.id) !== def) continue;
    const needsPath = [...def.path, 'needs'];
    def.job.needs.forEach((need, i) => {
      const problem = needProblem(def.id, need);
      if (!problem) return;
      const itemPath = needsIsScalar(source, needsPath) ? needsPath : [...needsPath, i];
      error(itemPath, problem, source.valueAt(itemPath));
    });
  }
  for (const cycle of findCycles(resolved)) {
    const head = resolved.jobs[cycle[0]!]!;
    const index = head.needs.indexOf(cycle[1]!);
    const needsPath = [...head.path, 'needs'];
    const at = source.valueAt([...needsPath, index]);
    error(needsPath, `cycle in needs: ${cycle.join(' -> ')}`, at);
  }
  if (resolved.explicitPipeline) {
    for (const id of jobIds) {
      if (stageOfJob.has(id)) continue;
      const def = firstDefinition.get(id)!;
      warning(def.path, `job '${id}' is in no stage, so it never runs`, source.keyAt(def.path));
    }
  }
  out.push(...checkServiceRules(config, resolved, source));
  out.push(...checkFleetRules(config, resolved, source));
  out.push(...checkProtectionRules(config, resolved, source));
  return out;
}

// `needs: a` (a scalar) has no item 0 to point at: the lookup falls back to the scalar itself.
function needsIsScalar(source: ConfigSource, needsPath: ConfigPath): boolean {
  const a = source.valueAt(needsPath);
  const b = source.valueAt([...needsPath, 0]);
  return a.line === b.line && a.col === b.col;
}

function checkMatrix(
  def: JobDefinition,
  error: (path: ConfigPath, message: string, at?: Position) => void,
  source: ConfigSource,
): void {
  const matrix = def.job.matrix;
  if (!matrix) return;
  const axes = Object.keys(matrix.axes);
  if (axes.length === 0 && matrix.include.length === 0) {
    error([...def.path, 'matrix'], 'a matrix needs at least one axis, e.g. `node: [18, 20]`');
  }
  matrix.exclude.forEach((rule, i) => {
    for (const key of Object.keys(rule)) {
      const path = [...def.path, 'matrix', 'exclude', i, key];
      if (!axes.includes(key))
        error(path, `unknown matrix axis '${key}'${didYouMean(key, axes)}`, source.keyAt(path));
    }
  });
}

/** Every distinct cycle in `needs`, each as ids with the first repeated at the end. */
export function findCycles(config: ResolvedConfig): string[][] {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  const seen = new Set<string>();
  const visit = (id: string): void => {
    state.set(id, 'visiting');
    stack.push(id);
    for (const need of config.jobs[id]?.needs ?? []) {
      if (need === id || !(need in config.jobs)) continue;
      const s = state.get(need);
      if (s === 'visiting') {
        const cycle = stack.slice(stack.indexOf(need));
        const key = [...cycle].sort().join(',');
        if (!seen.has(key)) {
          seen.add(key);
          cycles.push([...cycle, need]);
        }
      } else if (s === undefined) visit(need);
    }
    stack.pop();
    state.set(id, 'done');
  };
  for (const id of Object.keys(config.jobs)) if (!state.has(id)) visit(id);
  return cycles;
}
