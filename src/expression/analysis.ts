// Static questions about a parsed expression that the pipeline planner and config validation ask.
import { allNodes, type Expr } from './ast.js';
import { isStatusFunction } from './functions.js';

/** True when the expression calls success(), failure(), always() or cancelled() anywhere. */
export function usesStatusFunction(expr: Expr): boolean {
  return allNodes(expr).some((node) => node.kind === 'call' && isStatusFunction(node.name));
}

/** Job ids read as `needs.<id>` or `needs['<id>']`, unique, in source order. */
export function referencedNeeds(expr: Expr): string[] {
  const ids = new Set<string>();
  for (const node of allNodes(expr)) {
    const id = neededJob(node);
    if (id !== undefined) ids.add(id);
  }
  return [...ids];
}

function neededJob(node: Expr): string | undefined {
  if (node.kind !== 'property' && node.kind !== 'index') return undefined;
  const { object } = node;
  if (object.kind !== 'context' || object.name.toLowerCase() !== 'needs') return undefined;
  if (node.kind === 'property') return node.name;
  return node.index.kind === 'literal' && typeof node.index.value === 'string' ? node.index.value : undefined;
}
