// Reads `.slipway/secrets.env`, the dotenv-style file holding the secret values jobs may reference.
import { readFileSync } from 'node:fs';
import { SecretsError } from './errors.js';

const KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;
const DOUBLE_QUOTED_ESCAPES: Readonly<Record<string, string>> = {
  n: '\n',
  r: '\r',
  t: '\t',
  '"': '"',
  '\\': '\\',
};

/** Secrets in the file at `path` by name; a missing file has none. Throws SecretsError when it is malformed. */
export function readSecretsFile(path: string): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new SecretsError('SECRETS_FILE_UNREADABLE', `cannot read secrets file ${path}`, {
      path,
      cause: error,
    });
  }
  return parseSecretsEnv(text, path);
}

/**
 * Parses dotenv text: `KEY=value` lines, optional `export `, `#` comments and blank lines; values may be
 * unquoted (an inline ` #` starts a comment), 'single-quoted' (literal) or "double-quoted" (\n \r \t \" \\
 * escapes); quoted values may span lines, for keys and certificates. Later keys override earlier ones.
 * `path` only labels errors, which name the line but never echo a value.
 */
export function parseSecretsEnv(text: string, path: string): Record<string, string> {
  const lines = text
    .replace(/^\uFEFF/, '')
    .split('\n')
    .map(stripCr);
  const secrets = new Map<string, string>();
  const fail = (line: number, message: string): never => {
    throw new SecretsError('SECRETS_FILE_MALFORMED', `${path}:${line}: ${message}`, { path, line });
  };
  for (let index = 0; index < lines.length; index += 1) {
    const line = index + 1;
    const entry = (lines[index] ?? '').trimStart();
    if (entry === '' || entry.startsWith('#')) continue;
    const assignment = entry.replace(/^export\s+/, '');
    const equals = assignment.indexOf('=');
    if (equals === -1) fail(line, 'expected KEY=value');
    const key = assignment.slice(0, equals).trim();
    if (!KEY.test(key))
      fail(line, `invalid key ${JSON.stringify(key)} (letters, digits and _; not a digit first)`);
    let raw = assignment.slice(equals + 1).trimStart();
    const quote = raw[0];
    if (quote !== '"' && quote !== "'") {
      secrets.set(key, raw.replace(/\s#.*$/, '').trim());
      continue;
    }
    let close = findClosingQuote(raw, quote);
    while (close === -1 && index + 1 < lines.length) {
      index += 1;
      raw += `\n${lines[index] ?? ''}`;
      close = findClosingQuote(raw, quote);
    }
    if (close === -1) fail(line, `unterminated ${quote === '"' ? 'double' : 'single'} quote in ${key}`);
    const after = raw.slice(close + 1).trim();
    if (after !== '' && !after.startsWith('#'))
      fail(index + 1, `unexpected text after the closing quote of ${key}`);
    const body = raw.slice(1, close);
    secrets.set(key, quote === '"' ? unescapeDoubleQuoted(body) : body);
  }
  return Object.fromEntries(secrets);
}

function stripCr(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}

/** Index of the quote closing `text[0]`, skipping backslash escapes inside double quotes; -1 if none. */
function findClosingQuote(text: string, quote: string): number {
  for (let at = 1; at < text.length; at += 1) {
    if (quote === '"' && text[at] === '\\') at += 1;
    else if (text[at] === quote) return at;
  }
  return -1;
}

function unescapeDoubleQuoted(body: string): string {
  return body.replace(/\\(.)/gs, (sequence, char: string) => DOUBLE_QUOTED_ESCAPES[char] ?? sequence);
}
