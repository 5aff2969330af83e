/**
 * Splits `helm template` output into one manifest source per chart template, using the
 * `# Source: <chart>/templates/x.yaml` line helm writes above each document, so an issue names the
 * template that made the object rather than the whole release.
 */
import { join } from 'node:path';
import type { ManifestSource } from '../kubernetes/manifest-issue.js';

const SOURCE_LINE = /^# Source: (.+)$/m;

/** The documents of `output` grouped by template, in order of first appearance; `chart` is the chart's directory. */
export function helmTemplateSources(output: string, chart: string): ManifestSource[] {
  const byFile = new Map<string, string[]>();
  for (const chunk of output.split(/^---[ \t]*$/m)) {
    if (chunk.trim() === '') continue;
    const source = SOURCE_LINE.exec(chunk)?.[1]?.trim();
    // helm names templates `<chart name>/templates/...`: the chart's directory replaces its name.
    const file = source === undefined ? chart : join(chart, source.split('/').slice(1).join('/'));
    byFile.set(file, [...(byFile.get(file) ?? []), chunk.replace(/^\n/, '')]);
  }
  return [...byFile].map(([file, docs]) => ({ file, origin: 'helm' as const, text: docs.join('---\n') }));
}
