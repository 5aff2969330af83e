/**
 * Field types shared by every part of the slipway.yaml schema: durations, identifiers and
 * environment maps, each parsed to its runtime form exactly once.
 */
import { z } from 'zod';
import { parseDuration, parsePercent } from './duration.js';

/** Pattern for job, stage, environment and service identifiers. */
export const ID_PATTERN = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** A job, stage, environment or service identifier. */
export const identifier = z
  .string()
  .regex(ID_PATTERN, { error: 'must start with a letter or _ and contain only letters, digits, _ and -' });

/** A duration written `500ms`, `30s`, `10m`, `1h` or `1h30m`, parsed to milliseconds. */
export const duration = z
  .string({ error: 'expected a duration such as 30s, 10m or 1h30m' })
  .regex(/^\s*(?:\d+(?:\.\d+)?(?:ms|s|m|h|d))+\s*$/, {
    error: (issue) => `invalid duration '${String(issue.input)}' (write e.g. 500ms, 30s, 10m, 1h30m)`,
  })
  .transform((text, ctx) => {
    const ms = parseDuration(text);
    if (ms === undefined) {
      ctx.issues.push({
        code: 'custom',
        input: text,
        message: `invalid duration '${text}' (a unit is repeated)`,
      });
      return z.NEVER;
    }
    return ms;
  })
  .meta({ format: 'duration', examples: ['500ms', '30s', '10m', '1h30m'] });

/** A TCP port number. */
export const port = z.int().min(1).max(65535);

/** A percentage written `5` or `5%`, parsed to a number between 0 and 100. */
export const percent = z.union([z.number(), z.string()]).transform((value, ctx) => {
  const n = parsePercent(value);
  if (n === undefined) {
    ctx.issues.push({
      code: 'custom',
      input: value,
      message: `invalid percentage '${value}' (write 5 or 5%)`,
    });
    return z.NEVER;
  }
  return n;
});

/** Environment variables: scalar values, stringified once. */
export const envMap = z
  .record(
    z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'invalid environment variable name' }),
    z.union([z.string(), z.number(), z.boolean()]),
  )
  .transform(
    (env) =>
      Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v)])) as Readonly<
        Record<string, string>
      >,
  );

/** An environment variable name, as used for secrets. */
export const envName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'must be an environment variable name' });
