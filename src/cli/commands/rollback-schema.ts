/** What `slipway rollback --schema` prints: the code rollback, then what `down` did to the schema. */
import type { SchemaRollbackOutcome } from '../../rollout/schema-rollback.js';
import type { CommandContext } from '../context.js';
import { ExitCode } from '../exit-codes.js';

/** Prints the outcome of a rollback with `--schema`; exit 0 only when the code is back and `down` did not fail. */
export function printSchemaRollback(
  ctx: CommandContext,
  outcome: SchemaRollbackOutcome,
  service: string,
  env: string,
): number {
  const { schema } = outcome;
  const codeBack =
    outcome.status === 'completed' || outcome.status === 'aborted' || outcome.status === 'rolled_back';
  if (ctx.output.json) ctx.output.data({ type: 'rollback', ...outcome });
  else {
    if (codeBack) ctx.output.line(`${service} in ${env} is back on ${outcome.revision}`);
    if (schema.status === 'unchanged') ctx.output.line(`schema unchanged: ${schema.reason}`);
    else if (schema.status === 'reverted')
      ctx.output.line(
        `schema reverted: \`${schema.record.command}\` ${schema.record.result} (the expand of rollout ${schema.rollout})`,
      );
    else {
      const { record } = schema;
      ctx.output.line(ctx.output.paint('red', `SCHEMA NOT REVERTED: \`${record.command}\` ${record.result}`));
      if (record.output.trim()) ctx.output.line(record.output.trimEnd());
      ctx.output.line(
        ctx.output.paint(
          'red',
          `the code is back on ${outcome.revision}; retry \`down\` with: ${record.retry}`,
        ),
      );
    }
  }
  return codeBack && schema.status !== 'failed' ? ExitCode.Ok : ExitCode.Failed;
}
