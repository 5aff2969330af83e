// The syntax tree of a `${{ }}` expression: a readonly union keyed on `kind`, plus a generic walker.

/** Operators comparing two values; `==` and `!=` compare loosely as GitHub Actions does. */
export type CompareOperator = '==' | '!=' | '<' | '<=' | '>' | '>=';

/** Short-circuit operators; they return one of their operands, not a boolean. */
export type LogicalOperator = '&&' | '||';

/** One node of a parsed expression; `offset` is where it starts in the parsed text. */
export type Expr =
  | { readonly kind: 'literal'; readonly value: string | number | boolean | null; readonly offset: number }
  | { readonly kind: 'context'; readonly name: string; readonly offset: number }
  | { readonly kind: 'property'; readonly object: Expr; readonly name: string; readonly offset: number }
  | { readonly kind: 'index'; readonly object: Expr; readonly index: Expr; readonly offset: number }
  | { readonly kind: 'not'; readonly operand: Expr; readonly offset: number }
  | {
      readonly kind: 'compare';
      readonly op: CompareOperator;
      readonly left: Expr;
      readonly right: Expr;
      readonly offset: number;
    }
  | {
      readonly kind: 'logical';
      readonly op: LogicalOperator;
      readonly operands: readonly Expr[];
      readonly offset: number;
    }
  | { readonly kind: 'call'; readonly name: string; readonly args: readonly Expr[]; readonly offset: number };

/** The direct sub-expressions of `expr`, in source order. */
export function childrenOf(expr: Expr): readonly Expr[] {
  switch (expr.kind) {
    case 'literal':
    case 'context':
      return [];
    case 'property':
      return [expr.object];
    case 'index':
      return [expr.object, expr.index];
    case 'not':
      return [expr.operand];
    case 'compare':
      return [expr.left, expr.right];
    case 'logical':
      return expr.operands;
    case 'call':
      return expr.args;
  }
}

/** Every node of `root` in source order (pre-order), walked without recursion. */
export function allNodes(root: Expr): Expr[] {
  const out: Expr[] = [];
  const stack: Expr[] = [root];
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    out.push(node);
    const children = childrenOf(node);
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
  }
  return out;
}

/** The first node deeper than `maxDepth` levels (root is level 1), or undefined; walked without recursion. */
export function findTooDeep(root: Expr, maxDepth: number): Expr | undefined {
  const stack: [Expr, number][] = [[root, 1]];
  for (let entry = stack.pop(); entry !== undefined; entry = stack.pop()) {
    const [node, depth] = entry;
    if (depth > maxDepth) return node;
    for (const child of childrenOf(node)) stack.push([child, depth + 1]);
  }
  return undefined;
}
