/**
 * `has()` of a nested path the way a policy author reads it. CEL's `has(a.b.c)` tests only the last
 * field and raises an error when `a.b` itself is missing, which Terraform's ragged attributes make
 * the common case (`has(resource.after.input.tags.owner)` on an input without tags). The
 * expression is rewritten so each step is tested first: `(has(a.b) && has(a.b.c))`, false as
 * soon as a step is missing (a step that is null or not a map already gives false in CEL).
 */
import type { ASTNode } from '@marcbachmann/cel-js';

/** An expression with its nested `has()` calls guarded, and the way back to the author's offsets. */
export interface NestedHasRewrite {
  readonly source: string;
  /** The offset in the author's expression of `offset` in the rewritten one. */
  toOriginal(offset: number): number;
}

interface Replacement {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/** Rewrites every `has()` of a path two or more fields deep in `source` (parsed as `ast`); undefined when there is none. */
export function guardNestedHas(source: string, ast: ASTNode): NestedHasRewrite | undefined {
  const replacements: Replacement[] = [];
  visit(ast, (node) => {
    if (node.op !== 'call' || node.args[0] !== 'has' || node.args[1].length !== 1) return true;
    const steps: ASTNode[] = [];
    let current = node.args[1][0]!;
    while (current.op === '.') {
      steps.unshift(current);
      current = current.args[0];
    }
    if (steps.length >= 2) {
      const tests = steps.map((step) => `has(${source.slice(step.range.start, step.range.end)})`);
      replacements.push({ start: node.range.start, end: node.range.end, text: `(${tests.join(' && ')})` });
    }
    return false;
  });
  if (replacements.length === 0) return undefined;
  replacements.sort((a, b) => a.start - b.start);
  let rewritten = '';
  let from = 0;
  const spans: {
    readonly start: number;
    readonly end: number;
    readonly original: number;
    readonly shift: number;
  }[] = [];
  for (const r of replacements) {
    rewritten += source.slice(from, r.start);
    const start = rewritten.length;
    rewritten += r.text;
    spans.push({ start, end: rewritten.length, original: r.start, shift: rewritten.length - r.end });
    from = r.end;
  }
  rewritten += source.slice(from);
  return {
    source: rewritten,
    toOriginal(offset) {
      let shift = 0;
      for (const span of spans) {
        if (offset < span.start) break;
        if (offset < span.end) return span.original;
        shift = span.shift;
      }
      return offset - shift;
    },
  };
}

// Walks every node under `node`; `enter` returning false skips a node's children.
function visit(node: ASTNode, enter: (node: ASTNode) => boolean): void {
  if (!enter(node)) return;
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (isNode(value)) visit(value, enter);
  };
  walk(node.args);
}

function isNode(value: unknown): value is ASTNode {
  return typeof value === 'object' && value !== null && 'op' in value && 'args' in value && 'range' in value;
}
