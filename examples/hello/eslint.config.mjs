// ESLint as the security stage's SAST: eslint-plugin-security's rules over the TypeScript sources,
// reported as SARIF for the sast_analysis job's findings gate (see slipway.yaml).
//
// The formatter writes an ESLint `error` as SARIF level `error` (Slipway severity high) and a `warn`
// as `warning` (medium). With `failOn: high`, the rules below that flag a concrete danger fail the
// job; the heuristic ones, which also fire on safe code, are recorded as medium without failing it.
import tsParser from '@typescript-eslint/parser';
import security from 'eslint-plugin-security';

// The rules whose hits are dangerous as written: code run from a string, a shell command built from
// a variable, code loaded from a computed path, a backtracking regex, weak or unchecked buffers and
// bytes, disabled template escaping, CSRF checks that a method override skips, hidden characters.
const HIGH = [
  'detect-bidi-characters',
  'detect-buffer-noassert',
  'detect-child-process',
  'detect-disable-mustache-escape',
  'detect-eval-with-expression',
  'detect-invisible-characters',
  'detect-new-buffer',
  'detect-no-csrf-before-method-override',
  'detect-non-literal-require',
  'detect-pseudoRandomBytes',
  'detect-unsafe-regex',
];

export default [
  {
    files: ['src/**/*.ts'],
    // Syntax only, no type information: the security rules do not need it, and it keeps the scan fast.
    languageOptions: { parser: tsParser },
  },
  // Also on: detect-non-literal-fs-filename, detect-non-literal-regexp, detect-object-injection and
  // detect-possible-timing-attacks, as warnings (medium).
  { files: ['src/**/*.ts'], ...security.configs.recommended },
  {
    files: ['src/**/*.ts'],
    rules: Object.fromEntries(HIGH.map((rule) => [`security/${rule}`, 'error'])),
  },
];
