// The agent-style OFREP server the web provider tests read: createOfrepServer on 127.0.0.1:0 over an
// engine a test swaps to simulate a change, counting every request by method, path and status.
import type { AddressInfo } from 'node:net';
import type { FlagDocument } from '../../src/flags/flag-document.js';
import { FlagEngine } from '../../src/flags/flag-engine.js';
import { createOfrepServer } from '../../src/flags/ofrep-listener.js';

/** The flags: one of each type, targeting on the context, and a disabled one. */
export function webDocument(theme: 'light' | 'dark'): FlagDocument {
  return {
    flags: {
      'new-checkout': {
        state: 'ENABLED',
        variants: { on: true, off: false },
        defaultVariant: 'off',
        targeting: { if: [{ ends_with: [{ var: 'email' }, '@example.com'] }, 'on', null] },
      },
      theme: { state: 'ENABLED', variants: { light: 'light', dark: 'dark' }, defaultVariant: theme },
      discount: {
        state: 'ENABLED',
        variants: { none: 0, some: 10 },
        defaultVariant: 'none',
        targeting: { if: [{ '==': [{ var: 'plan' }, 'pro'] }, 'some', null] },
      },
      banner: {
        state: 'ENABLED',
        variants: { small: { text: 'hello', size: 1 }, big: { text: 'HELLO', size: 3 } },
        defaultVariant: 'small',
      },
      retired: { state: 'DISABLED', variants: { on: 'new', off: 'old' }, defaultVariant: 'on' },
    },
    metadata: { flagSetId: 'shop' },
  };
}

/** A running OFREP server and what it was asked. */
export interface WebOfrepServer {
  readonly baseUrl: string;
  /** Requests so far, keyed `METHOD path status` (the path without its query). */
  readonly counts: Map<string, number>;
  /** How many `POST` bulk evaluations were answered with `status`. */
  bulk(status: number): number;
  /** Serves `document` from now on, as a new flag version. */
  serve(document: FlagDocument): void;
  close(): Promise<void>;
}

/** Starts the server on a loopback port of its own, serving `document`. */
export async function startWebOfrepServer(document: FlagDocument): Promise<WebOfrepServer> {
  let version = 1;
  let engine = new FlagEngine({ version, document });
  const server = createOfrepServer(() => engine);
  const counts = new Map<string, number>();
  // A second listener beside the listener's own: it only watches each answer go out.
  server.on('request', (req, res) => {
    res.on('finish', () => {
      const key = `${req.method} ${(req.url ?? '').split('?')[0]} ${res.statusCode}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    counts,
    bulk: (status) => counts.get(`POST /ofrep/v1/evaluate/flags ${status}`) ?? 0,
    serve(next) {
      version += 1;
      engine = new FlagEngine({ version, document: next });
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** Waits until `ready()` holds, checking every 20 ms for at most `ms`; fails naming `what`. */
export async function waitFor(what: string, ready: () => boolean, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
