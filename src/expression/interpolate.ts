// Renders a text with `${{ }}` expressions replaced by their values, as in `run:` or `env:` values.
import { dataToText } from './coerce.js';
import type { EvalContext } from './eval-context.js';
import { evaluateData } from './evaluate.js';
import { parseTemplate } from './template.js';

/** Replaces each `${{ expr }}` with its value as text (null -> '', numbers as Actions prints them, objects -> JSON); other text is kept. */
export function interpolate(text: string, ctx: EvalContext): string {
  if (!text.includes('${{')) return text;
  return parseTemplate(text)
    .map((part) => (typeof part === 'string' ? part : dataToText(evaluateData(part.expr, ctx))))
    .join('');
}
