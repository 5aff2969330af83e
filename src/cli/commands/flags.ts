/**
 * `slipway flags list|get|set|enable|disable|history|rollback`: feature flags in flagd's format,
 * versioned in the event log and served over OFREP; locally (the project's store and agent) or
 * through a server's API with `--server`.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { FlagDefinition } from '../../flags/flag-document.js';
import type { CommandContext } from '../context.js';
import { UsageError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import type { FlagChangeRequest, FlagsBackend } from '../flags/flags-backend.js';
import { printFlag, printFlagChange, printFlagHistory, printFlagList } from '../flags/flags-output.js';
import { remoteClient } from '../remote/remote-context.js';

/** Runs `use` against the flags of the project or of the server, closing them after. */
async function withFlags(
  ctx: CommandContext,
  use: (flags: FlagsBackend) => Promise<number>,
): Promise<number> {
  const client = remoteClient(ctx);
  const flags = client
    ? (await import('../flags/remote-flags.js')).remoteFlags(client)
    : await (await import('../flags/local-flags.js')).openLocalFlags(ctx);
  try {
    return await use(flags);
  } finally {
    await flags.close();
  }
}

/** Lists the flags: state, default variant, variants, version and last change. */
export function flagsList(ctx: CommandContext): Promise<number> {
  return withFlags(ctx, async (flags) => {
    printFlagList(ctx, await flags.list());
    return ExitCode.Ok;
  });
}

/** Prints one flag's whole current definition and version. */
export function flagsGet(ctx: CommandContext, key: string): Promise<number> {
  return withFlags(ctx, async (flags) => {
    printFlag(ctx, await flags.get(key));
    return ExitCode.Ok;
  });
}

/** Prints every version of a flag with who changed what. */
export function flagsHistory(ctx: CommandContext, key: string): Promise<number> {
  return withFlags(ctx, async (flags) => {
    printFlagHistory(ctx, key, await flags.history(key));
    return ExitCode.Ok;
  });
}

/** Options of `slipway flags set`. */
export interface FlagsSetOptions {
  readonly weights?: string;
  /** A file holding a whole flagd flag definition (JSON). */
  readonly definition?: string;
}

/** Reads a flag definition file: JSON holding one object (the schema check comes with the change). */
function readDefinition(ctx: CommandContext, file: string): FlagDefinition {
  let text: string;
  try {
    text = readFileSync(resolve(ctx.io.cwd, file), 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read the flag definition ${file}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${file} is not JSON: ${(error as Error).message}`, { cause: error });
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new UsageError(
      `${file} must hold one flagd flag definition: {"state": ..., "variants": {...}, ...}`,
    );
  return parsed as FlagDefinition;
}

/** The change `set` asks for: exactly one of VARIANT, --weights and --definition. */
function setRequest(
  ctx: CommandContext,
  variant: string | undefined,
  options: FlagsSetOptions,
): FlagChangeRequest {
  const given = [variant !== undefined, options.weights !== undefined, options.definition !== undefined];
  if (given.filter(Boolean).length !== 1)
    throw new UsageError(
      'flags set takes exactly one of: a VARIANT to serve by default, --weights on=5,off=95, or --definition FILE.json',
    );
  if (variant !== undefined) return { kind: 'set', variant };
  if (options.weights !== undefined) return { kind: 'weights', weights: options.weights };
  return { kind: 'define', definition: readDefinition(ctx, options.definition as string) };
}

/** Records one change as a new version and publishes the flag set; exit 1 when publishing failed. */
function change(ctx: CommandContext, key: string, request: () => FlagChangeRequest): Promise<number> {
  // The request is checked before the store is opened or a server asked.
  const asked = request();
  return withFlags(ctx, async (flags) => {
    const answer = await flags.change(key, asked);
    printFlagChange(ctx, answer);
    return answer.served.error === undefined ? ExitCode.Ok : ExitCode.Failed;
  });
}

/** `flags set FLAG VARIANT | --weights W | --definition FILE`. */
export function flagsSet(
  ctx: CommandContext,
  key: string,
  variant: string | undefined,
  options: FlagsSetOptions,
): Promise<number> {
  return change(ctx, key, () => setRequest(ctx, variant, options));
}

/** `flags enable FLAG` and `flags disable FLAG`. */
export function flagsState(ctx: CommandContext, key: string, kind: 'enable' | 'disable'): Promise<number> {
  return change(ctx, key, () => ({ kind }));
}

/** `flags rollback FLAG [--to VERSION]`: an earlier definition again, as a new version. */
export function flagsRollback(ctx: CommandContext, key: string, options: { to?: string }): Promise<number> {
  return change(ctx, key, () => {
    if (options.to === undefined) return { kind: 'rollback' };
    const to = Number(options.to);
    if (!/^[1-9][0-9]*$/.test(options.to) || !Number.isSafeInteger(to))
      throw new UsageError(`--to must be a version number (1, 2, ...), got '${options.to}'`);
    return { kind: 'rollback', to };
  });
}
