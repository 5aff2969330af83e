/** `slipway schema`: prints the JSON Schema of slipway.yaml. */
import { configJsonSchema } from '../../config/json-schema.js';
import type { CommandContext } from '../context.js';
import { ExitCode } from '../exit-codes.js';

/** Prints the JSON Schema, pretty in a terminal, one line with `--json`. */
export function schemaCommand(ctx: CommandContext): number {
  const schema = configJsonSchema();
  if (ctx.output.json) ctx.output.data(schema);
  else ctx.output.write(`${JSON.stringify(schema, null, 2)}\n`);
  return ExitCode.Ok;
}
