// The `format('{0}-{1}', a, b)` function: numbered placeholders, with `{{` and `}}` as literal braces.
import { toText } from './coerce.js';
import { ExpressionError } from './errors.js';

const TOKEN_RE = /\{\{|\}\}|\{(\d+)\}|[{}]/g;

/** Replaces `{N}` with the text of `args[N]`; a stray brace or a missing argument is an error. */
export function formatText(template: string, args: readonly unknown[]): string {
  return template.replace(TOKEN_RE, (match: string, index: string | undefined) => {
    if (match === '{{') return '{';
    if (match === '}}') return '}';
    if (index === undefined) {
      throw new ExpressionError(
        'EXPRESSION_EVALUATION',
        `format string '${template}' has an unmatched '${match}'`,
      );
    }
    const position = Number(index);
    if (position >= args.length) {
      throw new ExpressionError(
        'EXPRESSION_EVALUATION',
        `format string '${template}' uses {${index}} but only ${args.length} argument(s) follow it`,
      );
    }
    return toText(args[position]);
  });
}
