/**
 * The cross-field rules of environments' `protection:`: required stages that exist and run before
 * the environment deploys, approvers on a gate that exists, one way of saying who approves, and
 * the signature files on disk; each problem at `file:line:col`.
 */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ConfigOutput } from './config-schema.js';
import { gatedEnvironments } from './deploy-targets.js';
import type { ConfigPath, Diagnostic } from './diagnostic.js';
import type { ConfigLocation } from './load-flags.js';
import type { ResolvedConfig, ResolvedServiceEnvironment } from './resolved.js';
import { ruleDiagnostics } from './rule-diagnostics.js';
import type { ConfigSource } from './source.js';
import { didYouMean } from './suggest.js';

/** The problems of every environment's `protection:` against the pipeline. */
export function checkProtectionRules(
  config: ConfigOutput,
  resolved: ResolvedConfig,
  source: ConfigSource,
): Diagnostic[] {
  const { out, error, warning } = ruleDiagnostics(source);
  const stageIndex = new Map<string, number>();
  resolved.stages.forEach((stage, i) => {
    if (!stageIndex.has(stage.name)) stageIndex.set(stage.name, i);
  });
  const gated = gatedEnvironments(resolved);
  for (const [name, env] of Object.entries(config.environments)) {
    const protection = env.protection;
    if (!protection) continue;
    const base: ConfigPath = ['environments', name, 'protection'];
    // The deploy stages that deploy this environment: a required stage must come before each.
    const deploys = resolved.stages.flatMap((stage, i) =>
      stage.kind === 'deploy' && stage.environments.some((e) => e.name === name)
        ? [{ name: stage.name, index: i }]
        : [],
    );
    if (deploys.length === 0)
      warning(
        base,
        `no deploy stage deploys '${name}', so its protection is never checked (it applies at pipeline deploy gates)`,
        source.keyAt(base),
      );
    protection.requiredStages.forEach((stage, i) => {
      const path = [...base, 'requiredStages', i];
      const index = resolved.explicitPipeline ? stageIndex.get(stage) : undefined;
      if (index === undefined) {
        error(path, `unknown stage '${stage}'${didYouMean(stage, stageIndex.keys())}`);
        return;
      }
      const late = deploys.find((deploy) => deploy.index <= index);
      if (late)
        error(
          path,
          late.index === index
            ? `stage '${stage}' is the stage that deploys '${name}': a required stage must run before it`
            : `stage '${stage}' runs after '${late.name}', which deploys '${name}': a required stage must run before it`,
        );
    });
    if (protection.approvers) {
      const path = [...base, 'approvers'];
      if (env.approval !== undefined)
        error(
          path,
          `set either \`approval\` or \`protection.approvers\` on '${name}', not both: \`protection.approvers\` (required, excludeStarter) replaces \`approval\` (required, preventSelfApproval)`,
          source.keyAt(path),
        );
      if (deploys.length > 0 && !gated.has(name))
        warning(
          path,
          `'${name}' has no manual_approval gate in the pipeline, so \`approvers\` never applies`,
          source.keyAt(path),
        );
    }
  }
  return out;
}

/** The problems of the files every environment's `signedCommits` names (they must exist). */
export function checkProtectionFiles(
  environments: Readonly<Record<string, ResolvedServiceEnvironment>>,
  source: ConfigSource,
  where: ConfigLocation,
): Diagnostic[] {
  const { out, error } = ruleDiagnostics(source);
  for (const env of Object.values(environments)) {
    const signed = env.protection?.signedCommits;
    if (!signed) continue;
    const base: ConfigPath = [...env.path, 'protection', 'signedCommits'];
    const expect = (key: string, file: string, what: string) => {
      if (isFile(resolve(where.dir, file))) return;
      error(
        [...base, key],
        `${what} '${file}' does not exist or is not a file (paths are relative to ${where.file}'s directory)`,
      );
    };
    expect('allowedSigners', signed.allowedSigners, 'the allowed-signers file');
    if (signed.gpgKeyring !== undefined) expect('gpgKeyring', signed.gpgKeyring, 'the GPG keyring');
  }
  return out;
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
