// Static questions about a parsed expression that the pipeline planner and config validation ask.
import type { Expr } from '@actions/expressions';
import { data } from '@actions/expressions';
import {
  Binary,
  ContextAccess,
  FunctionCall,
  Grouping,
  IndexAccess,
  Literal,
  Logical,
  Unary,
} from '@actions/expressions/ast';
import { isStatusFunction } from './functions.js';

// Every node of the tree, parents before children.
function allNodes(expr: Expr): Expr[] {
  const out: Expr[] = [];
  const visit = (node: Expr): void => {
    out.push(node);
    if (node instanceof Unary) visit(node.expr);
    else if (node instanceof Binary) [node.left, node.right].forEach(visit);
    else if (node instanceof Logical || node instanceof FunctionCall) node.args.forEach(visit);
    else if (node instanceof Grouping) visit(node.group);
    else if (node instanceof IndexAccess) [node.expr, node.index].forEach(visit);
  };
  visit(expr);
  return out;
}

/** True when the expression calls success(), failure(), always() or cancelled() anywhere. */
export function usesStatusFunction(expr: Expr): boolean {
  return allNodes(expr).some(
    (node) => node instanceof FunctionCall && isStatusFunction(node.functionName.lexeme),
  );
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

// `needs.x` parses as an index access whose index is the string literal 'x'.
function neededJob(node: Expr): string | undefined {
  if (!(node instanceof IndexAccess)) return undefined;
  const { expr, index } = node;
  if (!(expr instanceof ContextAccess) || expr.name.lexeme.toLowerCase() !== 'needs') return undefined;
  return index instanceof Literal && index.literal.kind === data.Kind.String
    ? index.literal.coerceString()
    : undefined;
}
