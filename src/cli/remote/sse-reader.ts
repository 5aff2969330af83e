/** Server-Sent Events parsing: a pure incremental parser and a reader over a fetch response body. */

/** One message of an event stream (comments and messages without data are dropped). */
export interface SseMessage {
  readonly id: string | undefined;
  readonly event: string | undefined;
  readonly data: string;
}

/** Turns chunks of an event stream into messages; keeps the unfinished tail between chunks. */
export class SseParser {
  private buffer = '';

  /** Feeds a chunk of text; returns the messages it completed. */
  push(text: string): SseMessage[] {
    this.buffer += text.replace(/\r\n?/g, '\n');
    const messages: SseMessage[] = [];
    let end = this.buffer.indexOf('\n\n');
    while (end !== -1) {
      const message = parseBlock(this.buffer.slice(0, end));
      if (message) messages.push(message);
      this.buffer = this.buffer.slice(end + 2);
      end = this.buffer.indexOf('\n\n');
    }
    return messages;
  }
}

// One blank-line-terminated block: `field: value` lines, `:` comments; data lines join with \n.
function parseBlock(block: string): SseMessage | undefined {
  let id: string | undefined;
  let event: string | undefined;
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line === '' || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'id') id = value;
    else if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
  }
  return data.length === 0 ? undefined : { id, event, data: data.join('\n') };
}

/** Yields the messages of a response body until it ends (or the fetch is aborted). */
export async function* readSse(body: AsyncIterable<Uint8Array>): AsyncGenerator<SseMessage> {
  const decoder = new TextDecoder();
  const parser = new SseParser();
  for await (const chunk of body) yield* parser.push(decoder.decode(chunk, { stream: true }));
}
