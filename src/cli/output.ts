/**
 * The one place the CLI writes to the terminal: human text, or JSON on stdout with `--json`,
 * colour only on a TTY without NO_COLOR.
 */
import type { Writable } from 'node:stream';

/** Streams and environment the output writes to; injectable for tests. */
export interface OutputTarget {
  readonly stdout: Writable & { isTTY?: boolean; columns?: number };
  readonly stderr: Writable & { isTTY?: boolean };
  readonly env: NodeJS.ProcessEnv;
}

const CODES = {
  red: 31,
  green: 32,
  yellow: 33,
  blue: 34,
  magenta: 35,
  cyan: 36,
  gray: 90,
  bold: 1,
  dim: 2,
} as const;
export type Color = keyof typeof CODES;

/** Writes CLI output in the mode the user asked for. */
export class Output {
  readonly json: boolean;
  readonly color: boolean;
  readonly interactive: boolean;

  constructor(
    readonly target: OutputTarget,
    options: { json?: boolean } = {},
  ) {
    this.json = options.json === true;
    const noColor = target.env.NO_COLOR !== undefined && target.env.NO_COLOR !== '';
    this.interactive = target.stdout.isTTY === true && target.env.CI === undefined && !this.json;
    this.color = target.stdout.isTTY === true && !noColor && !this.json && target.env.TERM !== 'dumb';
  }

  /** A line of human output on stdout (suppressed in JSON mode). */
  line(text = ''): void {
    if (!this.json) this.target.stdout.write(`${text}\n`);
  }

  /** Raw text on stdout (used by live views). */
  write(text: string): void {
    this.target.stdout.write(text);
  }

  /** A line on stderr, in every mode. */
  error(text: string): void {
    this.target.stderr.write(`${text}\n`);
  }

  /** One JSON document (or one NDJSON event) on stdout, in JSON mode only. */
  data(value: unknown): void {
    if (this.json) this.target.stdout.write(`${JSON.stringify(value)}\n`);
  }

  /** Colours text when colour is on. */
  paint(color: Color, text: string): string {
    return this.color ? `\u001b[${CODES[color]}m${text}\u001b[0m` : text;
  }
}
