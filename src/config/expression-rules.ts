/**
 * Checks the `${{ }}` expressions of a config: conditions and templates must parse, and a
 * condition may only read `needs.<id>` of jobs the job needs.
 */
import { checkTemplate, parseCondition, referencedNeeds } from '../expression/index.js';
import type { ConfigPath, Diagnostic } from './diagnostic.js';
import type { JobDefinition } from './normalize.js';
import type { ConfigSource } from './source.js';

/** Diagnostics for every malformed expression in the jobs. */
export function checkExpressions(
  definitions: readonly JobDefinition[],
  source: ConfigSource,
  concurrencyGroup?: string,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  const error = (path: ConfigPath, message: string) =>
    out.push({ severity: 'error', path, message, ...source.valueAt(path) });
  const template = (path: ConfigPath, text: string) => {
    const problem = checkTemplate(text);
    if (problem) error(path, `invalid expression: ${problem.message}`);
  };
  for (const { job, path } of definitions) {
    if (job.if !== undefined) {
      try {
        const condition = parseCondition(job.if);
        for (const need of referencedNeeds(condition.expr)) {
          if (!job.needs.includes(need))
            error([...path, 'if'], `reads needs.${need}, but the job does not need '${need}'`);
        }
      } catch (e) {
        error([...path, 'if'], `invalid condition: ${(e as Error).message}`);
      }
    }
    if (job.run !== undefined) template([...path, 'run'], job.run);
    job.steps?.forEach((step, i) => {
      template([...path, 'steps', i, 'run'], step.run);
    });
    for (const [name, value] of Object.entries(job.env)) template([...path, 'env', name], value);
    if (job.cache) template([...path, 'cache', 'key'], job.cache.key);
  }
  if (concurrencyGroup !== undefined) template(['pipeline', 'concurrency', 'group'], concurrencyGroup);
  return out;
}
