/**
 * Loads slipway.yaml: YAML -> schema -> normalize -> flag files -> cross-field rules. Every
 * problem is returned at once, positioned; nothing here throws on bad content.
 */
import { readFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { type ConfigOutput, configSchema } from './config-schema.js';
import { type Diagnostic, formatPath, sortDiagnostics } from './diagnostic.js';
import { ConfigFileError } from './errors.js';
import { checkExpressions } from './expression-rules.js';
import type { ConfigInputs } from './flag-source-files.js';
import { checkFlagReferences } from './flag-strategy-rules.js';
import { checkInfrastructureFiles } from './infrastructure-rules.js';
import { lenientConfig } from './lenient.js';
import { type ConfigLocation, type LoadedFlags, loadFlags } from './load-flags.js';
import { collectJobs, normalize } from './normalize.js';
import { checkProtectionFiles } from './protection-rules.js';
import type { ResolvedConfig } from './resolved.js';
import { checkRules } from './rules.js';
import { issuesToDiagnostics } from './schema-issues.js';
import { keysAt } from './schema-keys.js';
import { type ConfigSource, parseSource } from './source.js';

/** The outcome of loading a config: the resolved config when there are no errors, and every diagnostic. */
export interface LoadResult {
  readonly config?: ResolvedConfig;
  readonly diagnostics: readonly Diagnostic[];
  /** The files of `flags.sources` read besides the config file (absent without `flags:`). */
  readonly inputs?: ConfigInputs;
}

/**
 * Parses and checks config text; `projectName` is used when the file names no project. `location`
 * says where the file is, for the files `flags.sources` names (default: `slipway.yaml` in the
 * current directory).
 */
export function loadConfigText(
  text: string,
  projectName = 'project',
  location: Partial<ConfigLocation> = {},
): LoadResult {
  const where: ConfigLocation = { dir: location.dir ?? process.cwd(), file: location.file ?? 'slipway.yaml' };
  const source = parseSource(text);
  const syntaxErrors = source.syntax.filter((d) => d.severity === 'error');
  if (
    source.data === undefined ||
    (syntaxErrors.length > 0 && !syntaxErrors.every((d) => d.message.startsWith('duplicate key')))
  ) {
    return { diagnostics: sortDiagnostics(source.syntax) };
  }
  if (source.data === null) {
    return {
      diagnostics: [
        {
          severity: 'error',
          path: [],
          message: 'the file is empty (run `slipway init` for a starter)',
          line: 1,
          col: 1,
        },
      ],
    };
  }
  const parsed = configSchema.safeParse(source.data);
  if (!parsed.success) {
    const schemaDiagnostics = issuesToDiagnostics(parsed.error.issues, source.data, source, (path) =>
      keysAt(configSchema, path),
    );
    // The rules still run on what could be read, minus anything under a part the schema rejected.
    const lenient = lenientConfig(source.data);
    const rejected = schemaDiagnostics.map((d) => formatPath(d.path));
    // When `flags:` itself fails the schema its flags are unknown, so references to them go unchecked.
    const flagsRead = (source.data as { flags?: unknown }).flags === undefined || lenient.flags !== undefined;
    const flags = flagsOf(lenient, source, where);
    const ruleDiagnostics = [
      ...checkRules(lenient, collectJobs(lenient), normalize(lenient, projectName), source),
      ...(flagsRead ? checkFlagReferences(lenient, flags, source) : []),
    ].filter((d) => d.severity === 'error' && !rejected.some((p) => isWithin(formatPath(d.path), p)));
    return {
      diagnostics: sortDiagnostics([
        ...source.syntax,
        ...schemaDiagnostics,
        ...ruleDiagnostics,
        ...(flags?.diagnostics ?? []),
      ]),
    };
  }
  const flags = flagsOf(parsed.data, source, where);
  const resolved: ResolvedConfig = {
    ...normalize(parsed.data, projectName),
    ...(flags ? { flags: flags.resolved } : {}),
  };
  const definitions = collectJobs(parsed.data);
  const diagnostics = sortDiagnostics([
    ...source.syntax,
    ...checkRules(parsed.data, definitions, resolved, source),
    ...checkExpressions(definitions, source, resolved.concurrency?.group),
    ...(flags?.diagnostics ?? []),
    ...checkFlagReferences(parsed.data, flags, source),
    ...checkInfrastructureFiles(resolved.environments, source, where),
    ...checkProtectionFiles(resolved.environments, source, where),
  ]);
  const inputs = flags ? { inputs: flags.inputs } : {};
  return diagnostics.some((d) => d.severity === 'error')
    ? { diagnostics, ...inputs }
    : { config: resolved, diagnostics, ...inputs };
}

function flagsOf(config: ConfigOutput, source: ConfigSource, where: ConfigLocation): LoadedFlags | undefined {
  return config.flags ? loadFlags(config.flags, source, where) : undefined;
}

// A rule finding on, above or below a part the schema rejected would only repeat or guess at it.
function isWithin(path: string, ancestor: string): boolean {
  const under = (a: string, b: string) => a === b || a.startsWith(`${b}.`) || a.startsWith(`${b}[`);
  return under(path, ancestor) || under(ancestor, path);
}

/** Reads and loads a config file; throws ConfigFileError only when the file cannot be read. */
export function loadConfigFile(
  path: string,
): LoadResult & { readonly path: string; readonly projectDir: string } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (code ?? 'unreadable');
    throw new ConfigFileError(
      code === 'ENOENT' ? 'CONFIG_NOT_FOUND' : 'CONFIG_UNREADABLE',
      `cannot read ${path}: ${reason}`,
      {
        cause: error,
      },
    );
  }
  const projectDir = dirname(path);
  return {
    ...loadConfigText(text, basename(projectDir), { dir: projectDir, file: basename(path) }),
    path,
    projectDir,
  };
}
