/**
 * Reads the JSON body of a request to a control API (the agent's, the edge's): at most `maxBytes`,
 * undefined when empty; too large or not JSON rejects with the error `fail` makes, so each API
 * answers with its own typed error.
 */
import type { IncomingMessage } from 'node:http';

/** The JSON value of the body, or undefined for an empty one. */
export function readJsonBody(
  req: IncomingMessage,
  maxBytes: number,
  fail: (message: string, cause?: unknown) => Error,
): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        reject(fail('request body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('error', reject);
    req.on('end', () => {
      if (size === 0) return resolve(undefined);
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch (error) {
        reject(fail('request body is not JSON', error));
      }
    });
  });
}
