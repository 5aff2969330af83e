// Turns a stream of text chunks into complete lines, with bounded memory however long a line gets.

/** Default longest line kept whole; longer lines come out in pieces of this many characters. */
export const DEFAULT_MAX_LINE_LENGTH = 64 * 1024;

/** Splits chunks on `\n` (dropping a `\r` before it), holding a partial last line until more text or flush(). */
export class LineSplitter {
  readonly #maxLineLength: number;
  #partial = '';

  constructor(options: { readonly maxLineLength?: number } = {}) {
    this.#maxLineLength = Math.max(2, options.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH);
  }

  /** Adds `chunk` and returns the lines it completed, without their line terminators. */
  push(chunk: string): string[] {
    const lines: string[] = [];
    let text = this.#partial + chunk;
    let start = 0;
    for (let newline = text.indexOf('\n'); newline !== -1; newline = text.indexOf('\n', start)) {
      const end = newline > start && text.charCodeAt(newline - 1) === CR ? newline - 1 : newline;
      this.#emitLong(text.slice(start, end), lines, true);
      start = newline + 1;
    }
    text = text.slice(start);
    this.#partial = this.#emitLong(text, lines, false);
    return lines;
  }

  /** Returns the partial last line, if any, and resets the splitter. */
  flush(): string[] {
    const rest = this.#partial;
    this.#partial = '';
    if (rest.length === 0) return [];
    const lines: string[] = [];
    this.#emitLong(rest, lines, true);
    return lines;
  }

  /**
   * Pushes `line` onto `lines` in pieces of at most maxLineLength; when `complete` is false the last
   * piece (at most maxLineLength long) is returned instead, since more of that line may follow.
   */
  #emitLong(line: string, lines: string[], complete: boolean): string {
    let rest = line;
    while (rest.length > this.#maxLineLength) {
      let cut = this.#maxLineLength;
      // Never split a surrogate pair, nor a \r from the \n that may follow it in the next chunk.
      if (isHighSurrogate(rest.charCodeAt(cut - 1)) || rest.charCodeAt(cut - 1) === CR) cut -= 1;
      lines.push(rest.slice(0, cut));
      rest = rest.slice(cut);
    }
    if (!complete) return rest;
    lines.push(rest);
    return '';
  }
}

const CR = 0x0d;

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
