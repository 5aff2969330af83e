/**
 * Checks each environment's `infrastructure:` against the files it names: the Terraform,
 * manifest and chart directories and the values files must exist, and every policy file and the
 * price catalogue must parse; each problem at `file:line:col`, in slipway.yaml or in that file.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ConfigPath, Diagnostic } from './diagnostic.js';
import { matchSources } from './flag-source-files.js';
import type { ConfigLocation } from './load-flags.js';
import { parsePolicyFile } from './policy-file.js';
import { parsePricingFile } from './pricing-file.js';
import type { ResolvedServiceEnvironment } from './resolved.js';
import { ruleDiagnostics } from './rule-diagnostics.js';
import type { ConfigSource } from './source.js';

type Kind = 'directory' | 'file';

function kindOf(path: string): Kind | 'missing' {
  try {
    return statSync(path).isDirectory() ? 'directory' : 'file';
  } catch {
    return 'missing';
  }
}

// The raw value at `path` in the parsed YAML, to tell a list from a single glob.
function rawValueAt(data: unknown, path: ConfigPath): unknown {
  let node = data;
  for (const key of path) node = (node as Record<string | number, unknown> | undefined)?.[key];
  return node;
}

/** The problems of every environment's `infrastructure:` files. */
export function checkInfrastructureFiles(
  environments: Readonly<Record<string, ResolvedServiceEnvironment>>,
  source: ConfigSource,
  where: ConfigLocation,
): Diagnostic[] {
  const { out, error } = ruleDiagnostics(source);
  const expect = (path: ConfigPath, relative: string, kind: Kind, what: string) => {
    const found = kindOf(join(where.dir, relative));
    if (found === kind) return;
    error(
      path,
      found === 'missing'
        ? `${what} '${relative}' does not exist (paths are relative to ${where.file}'s directory)`
        : `${what} '${relative}' is not a ${kind}`,
    );
  };
  for (const env of Object.values(environments)) {
    const infra = env.infrastructure;
    if (!infra) continue;
    const base: ConfigPath = [...env.path, 'infrastructure'];
    if (infra.driftEveryMs !== undefined && !infra.terraform)
      error(
        [...base, 'drift'],
        'drift is found by Terraform: `drift` needs `terraform`',
        source.keyAt([...base, 'drift']),
      );
    if (infra.terraform) {
      expect([...base, 'terraform', 'dir'], infra.terraform.dir, 'directory', 'the Terraform directory');
      infra.terraform.varFiles.forEach((file, i) => {
        expect([...base, 'terraform', 'varFiles', i], file, 'file', 'the variable file');
      });
    }
    if (infra.kubernetes)
      expect(
        [...base, 'kubernetes', 'manifests'],
        infra.kubernetes.manifests,
        'directory',
        'the manifest directory',
      );
    infra.helm.forEach((release, i) => {
      expect([...base, 'helm', i, 'chart'], release.chart, 'directory', 'the chart directory');
      release.values.forEach((file, j) => {
        expect([...base, 'helm', i, 'values', j], file, 'file', 'the values file');
      });
    });
    const policyPath: ConfigPath = [...base, 'policies'];
    if (infra.policies.length > 0) {
      const matches = matchSources(where.dir, infra.policies, where.file);
      matches.forEach((files, i) => {
        if (files.length === 0)
          error(
            Array.isArray(rawValueAt(source.data, policyPath)) ? [...policyPath, i] : policyPath,
            `'${infra.policies[i]}' matches no policy file`,
          );
      });
      for (const file of [...new Set(matches.flat())])
        out.push(...parsePolicyFile(readFileSync(join(where.dir, file), 'utf8'), file).diagnostics);
    }
    if (infra.pricing !== undefined) {
      const path = [...base, 'pricing'];
      if (kindOf(join(where.dir, infra.pricing)) !== 'file')
        expect(path, infra.pricing, 'file', 'the price catalogue');
      else
        out.push(
          ...parsePricingFile(readFileSync(join(where.dir, infra.pricing), 'utf8'), infra.pricing)
            .diagnostics,
        );
    }
  }
  return out;
}
