/**
 * How values are written into systemd unit files (systemd.unit(5), systemd.service(5)): `%` starts
 * a specifier everywhere, ExecStart= splits words and expands `$VAR`, Environment= unquotes. Each
 * writer escapes exactly what its setting interprets, so a path with spaces or `%` survives.
 */
import { SystemdUnitError } from './errors.js';

// Control characters end a line or corrupt one: no escape makes them safe in every setting.
function hasControl(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}
const PLAIN_WORD = /^[A-Za-z0-9_@+=:,./-]+$/;

function checkPrintable(what: string, value: string): void {
  if (hasControl(value))
    throw new SystemdUnitError(
      'UNIT_VALUE_INVALID',
      `${what} holds a control character: ${JSON.stringify(value)}`,
    );
}

/** `%` is the specifier prefix in every setting; `%%` is a literal one. */
function escapeSpecifiers(value: string): string {
  return value.replaceAll('%', '%%');
}

/** A free-text value (Description=): only specifiers are interpreted. */
export function unitText(what: string, value: string): string {
  checkPrintable(what, value);
  return escapeSpecifiers(value);
}

function checkAbsolute(what: string, path: string): void {
  checkPrintable(what, path);
  if (!path.startsWith('/'))
    throw new SystemdUnitError('UNIT_VALUE_INVALID', `${what} must be an absolute path, got '${path}'`);
}

/** An absolute path for a setting that takes one path (WorkingDirectory=). */
export function unitPath(what: string, path: string): string {
  checkAbsolute(what, path);
  return escapeSpecifiers(path);
}

/** Quotes one word for ExecStart=, which unquotes C-style and then expands `$NAME` (`$$` is a literal `$`). */
function execWord(what: string, word: string): string {
  checkPrintable(what, word);
  const escaped = escapeSpecifiers(word).replaceAll('$', '$$$$');
  if (PLAIN_WORD.test(word)) return escaped;
  return `"${escaped.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}

/** The value of ExecStart= for `argv` (its first word an absolute path, as systemd prefers). */
export function execLine(argv: readonly string[]): string {
  const [program, ...args] = argv;
  if (program === undefined) throw new SystemdUnitError('UNIT_VALUE_INVALID', 'the command to run is empty');
  checkAbsolute('the program', program);
  return [execWord('the program', program), ...args.map((arg) => execWord('an argument', arg))].join(' ');
}

/** One `NAME=value` for Environment=, quoted: it unquotes C-style, then expands specifiers. */
export function environmentAssignment(name: string, value: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
    throw new SystemdUnitError('UNIT_VALUE_INVALID', `'${name}' is not an environment variable name`);
  checkPrintable(name, value);
  const escaped = escapeSpecifiers(`${name}=${value}`).replaceAll('\\', '\\\\').replaceAll('"', '\\"');
  return `"${escaped}"`;
}
