// Renders a text with `${{ }}` expressions replaced by their values, as in `run:` or `env:` values.
import { toText } from './coerce.js';
import type { EvalContext } from './eval-context.js';
import { evaluate } from './evaluate.js';
import { parseTemplate } from './template.js';

/** Replaces each `${{ expr }}` with its value as text (null -> '', objects -> JSON); other text is kept. */
export function interpolate(text: string, ctx: EvalContext): string {
  if (!text.includes('${{')) return text;
  return parseTemplate(text)
    .map((part) => (typeof part === 'string' ? part : toText(evaluate(part.expr, ctx))))
    .join('');
}
