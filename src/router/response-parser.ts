// Incremental parser for HTTP/1.x responses read from an upstream connection: status line and
// headers, then a body framed by Content-Length, chunked encoding or the end of the connection.
// Header names and values pass through as latin1 strings, byte for byte.

/** Receives what the parser finds, in order: one head, body chunks, then completion. */
export interface ResponseHandler {
  /** `keepAlive`: the connection may carry another request once this response is complete. */
  onHead(status: number, reason: string, rawHeaders: string[], keepAlive: boolean): void;
  /** `last`: the chunk completes the body (known for Content-Length bodies only). */
  onBody(chunk: Buffer, last: boolean): void;
  onComplete(): void;
}

const HEAD = 0;
const LENGTH = 1;
const CHUNK_SIZE = 2;
const CHUNK_DATA = 3;
const CHUNK_DATA_END = 4;
const TRAILERS = 5;
const UNTIL_CLOSE = 6;
const DONE = 7;

const MAX_HEAD_BYTES = 64 * 1024;
const MAX_LINE_BYTES = 8 * 1024;
const CRLF = Buffer.from('\r\n');
const CRLFCRLF = Buffer.from('\r\n\r\n');
const HEX = /^[0-9a-fA-F]{1,12}$/;
const DIGITS = /^\d{1,15}$/;

function hasToken(list: string, token: string): boolean {
  if (list.length === token.length) return list.toLowerCase() === token;
  for (const part of list.split(',')) if (part.trim().toLowerCase() === token) return true;
  return false;
}

function isDigit(text: string, at: number): boolean {
  const code = text.charCodeAt(at);
  return code >= 48 && code <= 57;
}

/** Parses one response at a time; call expect() before each. */
export class ResponseParser {
  readonly #handler: ResponseHandler;
  #state = DONE;
  #pending: Buffer | undefined;
  #remaining = 0;
  #crlfSeen = 0;
  #noBody = false;

  constructor(handler: ResponseHandler) {
    this.#handler = handler;
  }

  /** Prepares for the response to a new request; `headRequest` when it was a HEAD (no body follows). */
  expect(headRequest: boolean): void {
    this.#state = HEAD;
    this.#pending = undefined;
    this.#noBody = headRequest;
  }

  /** True between a complete response and the next expect(). */
  get idle(): boolean {
    return this.#state === DONE;
  }

  /** Feeds bytes from the connection; returns a message when they are not a valid response. */
  execute(input: Buffer): string | undefined {
    let chunk = input;
    let offset = 0;
    while (offset < chunk.length) {
      if (this.#pending !== undefined) {
        chunk = Buffer.concat([this.#pending, chunk.subarray(offset)]);
        offset = 0;
        this.#pending = undefined;
      }
      switch (this.#state) {
        case HEAD: {
          const end = chunk.indexOf(CRLFCRLF, offset);
          if (end === -1) {
            if (chunk.length - offset > MAX_HEAD_BYTES) return 'response head too large';
            this.#pending = Buffer.from(chunk.subarray(offset));
            return undefined;
          }
          if (end - offset > MAX_HEAD_BYTES) return 'response head too large';
          const error = this.#head(chunk.toString('latin1', offset, end));
          if (error !== undefined) return error;
          offset = end + 4;
          break;
        }
        case LENGTH: {
          const take = Math.min(this.#remaining, chunk.length - offset);
          this.#remaining -= take;
          this.#handler.onBody(
            offset === 0 && take === chunk.length ? chunk : chunk.subarray(offset, offset + take),
            this.#remaining === 0,
          );
          offset += take;
          if (this.#remaining === 0) this.#complete();
          break;
        }
        case CHUNK_SIZE:
        case TRAILERS: {
          const end = chunk.indexOf(CRLF, offset);
          if (end === -1) {
            if (chunk.length - offset > MAX_LINE_BYTES) return 'chunk line too long';
            this.#pending = Buffer.from(chunk.subarray(offset));
            return undefined;
          }
          const line = chunk.toString('latin1', offset, end);
          offset = end + 2;
          if (this.#state === TRAILERS) {
            if (line === '') this.#complete();
            break;
          }
          const semicolon = line.indexOf(';');
          const hex = (semicolon === -1 ? line : line.slice(0, semicolon)).trim();
          if (!HEX.test(hex)) return 'invalid chunk size';
          const size = Number.parseInt(hex, 16);
          if (size === 0) this.#state = TRAILERS;
          else {
            this.#remaining = size;
            this.#state = CHUNK_DATA;
          }
          break;
        }
        case CHUNK_DATA: {
          const take = Math.min(this.#remaining, chunk.length - offset);
          this.#remaining -= take;
          this.#handler.onBody(chunk.subarray(offset, offset + take), false);
          offset += take;
          if (this.#remaining === 0) {
            this.#state = CHUNK_DATA_END;
            this.#crlfSeen = 0;
          }
          break;
        }
        case CHUNK_DATA_END: {
          const expected = this.#crlfSeen === 0 ? 13 : 10;
          if (chunk[offset] !== expected) return 'missing CRLF after chunk data';
          offset++;
          if (++this.#crlfSeen === 2) this.#state = CHUNK_SIZE;
          break;
        }
        case UNTIL_CLOSE:
          this.#handler.onBody(offset === 0 ? chunk : chunk.subarray(offset), false);
          offset = chunk.length;
          break;
        default:
          return 'unexpected data after the response';
      }
    }
    return undefined;
  }

  /** The upstream closed its side: true when that ends the response (or none was in progress). */
  finish(): boolean {
    if (this.#state === UNTIL_CLOSE) {
      this.#complete();
      return true;
    }
    return this.#state === DONE;
  }

  #complete(): void {
    this.#state = DONE;
    this.#handler.onComplete();
  }

  #head(text: string): string | undefined {
    let lineEnd = text.indexOf('\r\n');
    if (lineEnd === -1) lineEnd = text.length;
    if (lineEnd < 12 || !text.startsWith('HTTP/1.') || text.charCodeAt(8) !== 32)
      return 'invalid status line';
    const minor = text.charCodeAt(7) - 48;
    if (minor !== 0 && minor !== 1) return 'unsupported HTTP version';
    const status =
      (text.charCodeAt(9) - 48) * 100 + (text.charCodeAt(10) - 48) * 10 + (text.charCodeAt(11) - 48);
    if (!isDigit(text, 9) || !isDigit(text, 10) || !isDigit(text, 11) || status < 100 || status > 599) {
      return 'invalid status';
    }
    if (lineEnd > 12 && text.charCodeAt(12) !== 32) return 'invalid status line';
    const reason = lineEnd > 13 ? text.slice(13, lineEnd) : '';
    const raw: string[] = [];
    let contentLength = -1;
    let transferEncoding: string | undefined;
    let connection = '';
    let pos = lineEnd + 2;
    while (pos < text.length) {
      let next = text.indexOf('\r\n', pos);
      if (next === -1) next = text.length;
      const first = text.charCodeAt(pos);
      if (first === 32 || first === 9) return 'obsolete header line folding';
      const colon = text.indexOf(':', pos);
      if (colon <= pos || colon >= next) return 'invalid header line';
      const name = text.slice(pos, colon);
      const value = text.slice(colon + 1, next).trim();
      raw.push(name, value);
      switch (name.length) {
        case 10:
          if (name.toLowerCase() === 'connection')
            connection = connection === '' ? value : `${connection}, ${value}`;
          break;
        case 14:
          if (name.toLowerCase() === 'content-length') {
            if (!DIGITS.test(value)) return 'invalid content-length';
            const length = Number(value);
            if (contentLength !== -1 && contentLength !== length) return 'conflicting content-length';
            contentLength = length;
          }
          break;
        case 17:
          if (name.toLowerCase() === 'transfer-encoding') {
            transferEncoding = transferEncoding === undefined ? value : `${transferEncoding}, ${value}`;
          }
          break;
      }
      pos = next + 2;
    }
    // 1xx (100 Continue, 103 Early Hints) precede the real response; 101 is for tunnels only.
    if (status < 200) {
      if (status === 101) return 'unexpected 101 Switching Protocols';
      this.#state = HEAD;
      return undefined;
    }
    let keepAlive = minor === 1 ? !hasToken(connection, 'close') : hasToken(connection, 'keep-alive');
    let state: number;
    if (this.#noBody || status === 204 || status === 304) state = DONE;
    else if (transferEncoding !== undefined) {
      const codings = transferEncoding.split(',');
      if (codings[codings.length - 1]!.trim().toLowerCase() === 'chunked') state = CHUNK_SIZE;
      else state = UNTIL_CLOSE;
    } else if (contentLength >= 0) {
      state = contentLength === 0 ? DONE : LENGTH;
      this.#remaining = contentLength;
    } else state = UNTIL_CLOSE;
    if (state === UNTIL_CLOSE) keepAlive = false;
    this.#state = state;
    this.#handler.onHead(status, reason, raw, keepAlive);
    if (state === DONE) this.#complete();
    return undefined;
  }
}
