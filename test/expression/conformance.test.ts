// Runs GitHub's cross-language conformance data for the expression language against Slipway's expression API.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { data } from '@actions/expressions';
import { kindStr } from '@actions/expressions/data/expressiondata';
import { toData } from '../../src/expression/coerce.js';
import { isExpressionError } from '../../src/expression/errors.js';
import { evaluateData } from '../../src/expression/evaluate.js';
import { type Expr, parseExpression } from '../../src/expression/parser.js';

// The files come from the expressions/testdata folder of github.com/actions/languageservices (MIT, see LICENSE there).
const DATA_DIR = join(import.meta.dirname, 'conformance');

interface ConformanceCase {
  readonly expr: string;
  readonly result?: { readonly kind: string; readonly value: unknown };
  readonly err?: { readonly kind: 'lexing' | 'parsing' | 'evaluation'; readonly value: string };
  readonly contexts?: Record<string, unknown>;
  readonly options?: { readonly skip?: readonly string[] };
}

/** Cases Slipway leaves out, by `<file>: <case name> #<index>`, each with the reason. */
const NOT_APPLICABLE: ReadonlyMap<string, string> = new Map([
  [
    'syntax-errors: memory-errors #0',
    "needs the runner's memory accounting of intermediate values, which GitHub's TypeScript implementation skips too",
  ],
]);

// The message GitHub's other implementations give: the reason, then the 1-based offset in the expression.
function describeError(error: unknown, expr: string): string {
  if (!isExpressionError(error)) return String(error);
  if (error.position === undefined) return `${error.reason}. Located within expression: ${expr}`;
  return `${error.reason}. Located at position ${error.position.offset + 1} within expression: ${expr}`;
}

function runCase(c: ConformanceCase): void {
  const contexts = c.contexts ?? {};
  let expr: Expr;
  try {
    expr = parseExpression(c.expr, { contexts: Object.keys(contexts) });
  } catch (error) {
    if (c.err === undefined || c.err.kind === 'evaluation') throw error;
    assert.ok(describeError(error, c.expr).includes(c.err.value), describeError(error, c.expr));
    return;
  }
  assert.ok(c.err === undefined || c.err.kind === 'evaluation', `expected a ${c.err?.kind} error`);
  let result: data.ExpressionData;
  try {
    result = evaluateData(expr, { contexts });
  } catch (error) {
    if (c.err === undefined) throw error;
    assert.ok(describeError(error, c.expr).includes(c.err.value), describeError(error, c.expr));
    return;
  }
  assert.equal(
    c.err,
    undefined,
    `expected an evaluation error, got ${JSON.stringify(result, data.replacer)}`,
  );
  assert.equal(kindStr(result.kind), c.result?.kind);
  assert.equal(JSON.stringify(result, data.replacer), JSON.stringify(toData(c.result?.value), data.replacer));
}

// biome.json beside the data only keeps the formatter off GitHub's files.
const files = readdirSync(DATA_DIR).filter((name) => name.endsWith('.json') && name !== 'biome.json');

test('the conformance data is present', () => {
  assert.ok(files.length >= 25, `only ${files.length} conformance files in ${DATA_DIR}`);
});

for (const file of files) {
  const suite = file.replace(/\.json$/, '');
  const cases = JSON.parse(readFileSync(join(DATA_DIR, file), 'utf8')) as Record<string, ConformanceCase[]>;
  test(suite, async (t) => {
    for (const [name, list] of Object.entries(cases)) {
      for (const [index, c] of list.entries()) {
        const id = `${suite}: ${name} #${index}`;
        const reason = NOT_APPLICABLE.get(id);
        await t.test(`${id} (${c.expr.slice(0, 60)})`, { skip: reason ?? false }, () => runCase(c));
      }
    }
  });
}
