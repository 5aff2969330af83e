/**
 * The quick way to read a config file's data: js-yaml, without the positioned document the
 * `yaml` package builds for diagnostics. Measured on a 1,000-job file: 23 ms against 119 ms;
 * on 10,000 jobs, 62 MB of peak memory against 134 MB. Positions are only needed when there is
 * something to report, and then the file is parsed again the positioned way (source.ts).
 *
 * The two parsers must read the same data. Plain scalars resolve here exactly as in the `yaml`
 * package's YAML 1.2 core schema (its expressions are copied below), and a file that uses a
 * feature where the two could still differ goes the positioned way from the start: directives,
 * tags, anchors and aliases (and so merge keys), complex keys, null keys. So does anything
 * js-yaml refuses (duplicate keys included), which the positioned parse then reports at its
 * line and column. test/config/quick-yaml.test.ts compares both on every YAML file in the tree.
 */
import { FAILSAFE_SCHEMA, load, Type } from 'js-yaml';

/** A plain-scalar type: the first of `forms` whose expression matches builds the value. */
const scalar = (tag: string, forms: readonly [RegExp, (text: string) => unknown][]) => {
  const form = (text: string | null) => forms.find(([test]) => test.test(text ?? ''));
  return new Type(`tag:yaml.org,2002:${tag}`, {
    kind: 'scalar',
    resolve: (text: string | null) => form(text) !== undefined,
    construct: (text: string | null) => form(text)![1](text ?? ''),
  });
};

// The `yaml` package's core schema (yaml/dist/schema/core and common/null.js), in its order.
// js-yaml keeps one type per tag, so the int and float forms share one type each.
const CORE_SCHEMA = FAILSAFE_SCHEMA.extend({
  implicit: [
    scalar('null', [[/^(?:~|[Nn]ull|NULL)?$/, () => null]]),
    scalar('bool', [[/^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/, (s) => s[0] === 't' || s[0] === 'T']]),
    scalar('int', [
      [/^0o[0-7]+$/, (s) => Number.parseInt(s.substring(2), 8)],
      [/^[-+]?[0-9]+$/, (s) => Number.parseInt(s, 10)],
      [/^0x[0-9a-fA-F]+$/, (s) => Number.parseInt(s.substring(2), 16)],
    ]),
    scalar('float', [
      [
        /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/,
        (s) =>
          s.slice(-3).toLowerCase() === 'nan'
            ? Number.NaN
            : s[0] === '-'
              ? Number.NEGATIVE_INFINITY
              : Number.POSITIVE_INFINITY,
      ],
      [/^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/, (s) => Number.parseFloat(s)],
      [/^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/, (s) => Number.parseFloat(s)],
    ]),
  ],
});

// Features read differently by the two parsers, or only by one: found conservatively (a `*`
// in a shell glob also sends the file the positioned way, which is only slower).
const POSITIONED_ONLY = [
  /^%/m, // directives (%YAML 1.1 changes the schema)
  /(?:^|[\s,[{:])[!&*][^\s,[\]{}&*=]/m, // tags, anchors, aliases
  /<</, // merge keys
  /(?:^|[\s,[{])\?(?:\s|$)/m, // explicit (complex) keys
  /(?:^|[\s,[{])(?:~|null|Null|NULL)?\s*:(?:\s|$)/m, // null keys (read as '' by one and 'null' by the other)
  /[\]}]\s*:(?:\s|$)/m, // collections as keys
  /[\]}"']#/, // a comment glued to what precedes it (an error to one only)
  /^[ \t]*-[ \t]+-(?:\s|$)/m, // a sequence opened on its parent's item line
];

// Per line, what the two could read differently: a flow collection or quoted scalar left open
// (they differ on how far its next line must be indented), brackets that do not pair up, and a
// collection used as a key inside a flow mapping. `${{ }}` expressions are skipped whole.
function risky(text: string): boolean {
  const open: number[] = [];
  let quotes = 0;
  let prev = 10;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 10;
    if (c === 10) {
      if (open.length > 0 || quotes % 2 !== 0) return true;
      prev = 10;
      continue;
    }
    if (c === 32 || c === 9 || c === 13) continue;
    if (c === 36 && text.startsWith('{{', i + 1)) {
      const end = text.indexOf('}}', i + 3);
      const newline = text.indexOf('\n', i);
      if (end === -1 || (newline !== -1 && newline < end)) return true;
      i = end + 1;
      prev = 125;
      continue;
    }
    if (c === 91 || c === 123) {
      if (open[open.length - 1] === 123 && (prev === 123 || prev === 44)) return true;
      open.push(c);
    } else if (c === 93 || c === 125) {
      if (open.pop() !== c - 2) return true; // ] is [ + 2, } is { + 2
    } else if (c === 34 || c === 39) quotes++;
    prev = c;
  }
  return false;
}

/** The file's data, or undefined when it must be read the positioned way. */
export function readQuickly(text: string): unknown {
  if (POSITIONED_ONLY.some((pattern) => pattern.test(text)) || risky(text)) return undefined;
  try {
    const data = load(text, { schema: CORE_SCHEMA });
    return data === null || data === undefined ? undefined : data;
  } catch {
    return undefined;
  }
}
