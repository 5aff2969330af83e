// The server under load: 200 live event streams fed by one tail of the event log (on SQLite and
// PostgreSQL), and 10 MB webhook bodies refused without starting anything while the server answers on.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { type ClientRequest, type IncomingMessage, request } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { signWebhookBody } from '../../src/server/webhook-signature.js';
import type { Store } from '../../src/store/store.js';
import { createBackends } from '../store/helpers/backends.js';
import { type Harness, startServer, tempProject, waitFor } from './helpers/server-harness.js';

const PIPELINE = `version: 1
project: { name: loaded }
jobs:
  hello: { run: echo hello-under-load }
`;

const CLIENTS = 200;
const POLL_MS = 50;

/** One parsed event of a stream, with when it arrived. */
interface Received {
  readonly id: number;
  readonly type: string;
  readonly runId: number | null;
  readonly at: number;
}

/** A raw SSE client on a connection of its own (no pool), so closing it closes the socket. */
interface StreamClient {
  readonly query: string;
  readonly req: ClientRequest;
  readonly opened: Promise<IncomingMessage>;
  readonly events: Received[];
  ended: boolean;
  /** Resolves with the first event `match` accepts. */
  waitFor(match: (event: Received) => boolean, timeoutMs: number): Promise<Received>;
}

function openStream(url: string, token: string, query: string): StreamClient {
  const events: Received[] = [];
  const waiters = new Set<() => void>();
  let buffer = '';
  let opened!: (res: IncomingMessage) => void;
  let failed!: (error: Error) => void;
  const openedPromise = new Promise<IncomingMessage>((resolve, reject) => {
    opened = resolve;
    failed = reject;
  });
  const req = request(
    `${url}/api/v1/events/stream${query}`,
    { agent: false, headers: { authorization: `Bearer ${token}` } },
    (res) => {
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        // The first frame (": stream open") is written once the stream is subscribed.
        if (buffer.includes('\n\n')) opened(res);
        let end = buffer.indexOf('\n\n');
        while (end !== -1) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          end = buffer.indexOf('\n\n');
          const data = block.split('\n').find((line) => line.startsWith('data: '));
          if (data === undefined) continue;
          const event = JSON.parse(data.slice(6)) as { id: number; type: string; runId: number | null };
          events.push({ id: event.id, type: event.type, runId: event.runId, at: Date.now() });
          for (const wake of waiters) wake();
        }
      });
      res.on('close', () => {
        client.ended = true;
        for (const wake of waiters) wake();
      });
      res.on('error', () => {});
    },
  );
  req.on('error', (error) => failed(error));
  req.end();
  const client: StreamClient = {
    query,
    req,
    opened: openedPromise,
    events,
    ended: false,
    waitFor(match, timeoutMs) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = events.find(match);
          if (found) done(() => resolve(found));
          else if (client.ended) done(() => reject(new Error(`stream ${query} ended first`)));
        };
        const timer = setTimeout(
          () => done(() => reject(new Error(`stream ${query}: nothing matched in ${timeoutMs} ms`))),
          timeoutMs,
        );
        function done(settle: () => void) {
          clearTimeout(timer);
          waiters.delete(check);
          settle();
        }
        waiters.add(check);
        check();
      });
    },
  };
  return client;
}

/** A store whose listEvents calls are counted (how hard the streams poll the log). */
function countingStore(store: Store): { store: Store; listEvents(): number } {
  let calls = 0;
  const counted = new Proxy(store, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      if (property !== 'listEvents') return value.bind(target);
      return (...args: unknown[]) => {
        calls++;
        return value.apply(target, args);
      };
    },
  });
  return { store: counted, listEvents: () => calls };
}

const connections = (h: Harness) =>
  new Promise<number>((resolve, reject) =>
    h.server.app.server.getConnections((error, count) => (error ? reject(error) : resolve(count))),
  );

/** Milliseconds `work` took, with its result. */
async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await work();
  return { ms: performance.now() - start, value };
}

for (const backend of createBackends()) {
  describe(`${CLIENTS} concurrent event streams (${backend.name})`, () => {
    let h: Harness;
    let counted: ReturnType<typeof countingStore>;
    let clients: StreamClient[] = [];

    before(async () => {
      const fresh = await backend.fresh({ now: () => Date.now() });
      counted = countingStore(fresh.store);
      h = await startServer(await tempProject(PIPELINE), counted.store, { pollMs: POLL_MS });
    });
    after(async () => {
      for (const client of clients) client.req.destroy();
      await h?.close();
      await backend.cleanup();
    });

    test('all connect, share one tail, get a new run within 5 s each, and the server stays responsive', async () => {
      const baseline = await connections(h);
      // A quarter each: everything, one event type, a resume from the start of the log, another service.
      const queries = ['', '?type=pipelinerun.finished', '?afterId=0', '?service=elsewhere'];
      clients = Array.from({ length: CLIENTS }, (_, i) =>
        openStream(h.url, h.tokens.viewer, queries[i % queries.length] ?? ''),
      );
      const responses = await Promise.all(clients.map((c) => c.opened));
      for (const res of responses) {
        assert.equal(res.statusCode, 200);
        assert.match(res.headers['content-type'] ?? '', /text\/event-stream/);
      }
      assert.ok((await connections(h)) >= baseline + CLIENTS, 'every stream holds a connection');

      // One shared tail polls the log every POLL_MS; a poll per client would be CLIENTS times that.
      const callsBefore = counted.listEvents();
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const polls = counted.listEvents() - callsBefore;
      assert.ok(polls <= (3 * 1000) / POLL_MS, `${polls} event log reads in 1 s with ${CLIENTS} streams`);

      const health = await timed(() => h.api('GET', '/healthz'));
      assert.equal(health.value.status, 200);
      assert.ok(health.ms < 1000, `/healthz took ${Math.round(health.ms)} ms`);
      const runs = await timed(() => h.api('GET', '/api/v1/runs', { token: h.tokens.viewer }));
      assert.equal(runs.value.status, 200);
      assert.ok(runs.ms < 1000, `GET /api/v1/runs took ${Math.round(runs.ms)} ms`);

      const postedAt = Date.now();
      const started = await h.api('POST', '/api/v1/runs', { token: h.tokens.deployer, body: {} });
      assert.equal(started.status, 202, started.text);
      const runId: number = started.json.runId;
      const isRun = (type: string) => (e: Received) => e.type === type && e.runId === runId;
      const listening = clients.filter((c) => c.query !== '?service=elsewhere');
      const firsts = await Promise.all(
        listening.map((c) =>
          c.waitFor(
            isRun(c.query === '?type=pipelinerun.finished' ? 'pipelinerun.finished' : 'pipelinerun.started'),
            20_000,
          ),
        ),
      );
      const slowest = Math.max(...firsts.map((e) => e.at - postedAt));
      assert.ok(slowest < 5000, `the slowest stream got the run ${slowest} ms after it started`);
      await Promise.all(listening.map((c) => c.waitFor(isRun('pipelinerun.finished'), 20_000)));

      for (const client of clients) {
        const ids = client.events.map((e) => e.id);
        assert.deepEqual(
          ids,
          [...new Set(ids)].sort((a, b) => a - b),
          `${client.query}: ids once each, in order`,
        );
        if (client.query === '?type=pipelinerun.finished')
          assert.deepEqual([...new Set(client.events.map((e) => e.type))], ['pipelinerun.finished']);
        if (client.query === '?service=elsewhere') assert.deepEqual(client.events, []);
        assert.ok(!client.events.some((e) => e.type === 'audit.recorded'), 'audit events never stream');
      }
      const resumed = clients.find((c) => c.query === '?afterId=0');
      assert.ok(resumed?.events.some(isRun('pipelinerun.queued')), 'a resumed stream has the backlog too');
      const live = clients.find((c) => c.query === '');
      assert.deepEqual(
        live?.events.filter((e) => e.runId === runId).map((e) => e.id),
        resumed?.events.filter((e) => e.runId === runId).map((e) => e.id),
        'a live and a resumed stream see the same events of the run',
      );

      // Other connections (the fetch pool's) may come and go; the streams' own must all go.
      const held = await connections(h);
      for (const client of clients) client.req.destroy();
      await waitFor(
        'the server to let go of every stream',
        async () => ((await connections(h)) <= held - CLIENTS ? true : undefined),
        5000,
      );
      await new Promise((resolve) => setTimeout(resolve, POLL_MS * 4));
      const idle = counted.listEvents();
      await new Promise((resolve) => setTimeout(resolve, POLL_MS * 10));
      // A running tail would read about 10 times here; the metrics' own catch-up (every 4 polls) reads too.
      const reads = counted.listEvents() - idle;
      assert.ok(reads <= 3, `with no stream open the tail stops reading the log (${reads} reads)`);
    });

    test('a stream opened after the others closed starts now and still gets new events', async () => {
      const client = openStream(h.url, h.tokens.viewer, '?type=pipelinerun.finished');
      clients.push(client);
      await client.opened;
      const started = await h.api('POST', '/api/v1/runs', { token: h.tokens.deployer, body: {} });
      assert.equal(started.status, 202, started.text);
      const event = await client.waitFor((e) => e.runId === started.json.runId, 20_000);
      assert.equal(event.type, 'pipelinerun.finished');
      assert.equal(client.events.length, 1, 'the earlier run is not replayed');
      client.req.destroy();
    });
  });
}

test('closing the server ends every open stream promptly', async () => {
  const h = await startServer(await tempProject(PIPELINE), undefined, { pollMs: POLL_MS });
  const clients = Array.from({ length: 20 }, () => openStream(h.url, h.tokens.viewer, ''));
  try {
    await Promise.all(clients.map((c) => c.opened));
    const closed = await timed(() => h.close());
    assert.ok(closed.ms < 5000, `close took ${Math.round(closed.ms)} ms`);
    await waitFor(
      'every stream to end',
      async () => (clients.every((c) => c.ended) ? true : undefined),
      5000,
    );
  } finally {
    for (const client of clients) client.req.destroy();
  }
});

describe('10 MB webhook bodies', () => {
  const SECRET = 'load-test-secret';
  let h: Harness;
  let deliveries = 0;

  const hook = (body: string, signature: string) =>
    h.api('POST', '/api/v1/hooks/github', {
      rawBody: body,
      headers: {
        'x-github-event': 'push',
        'x-github-delivery': `big-${++deliveries}`,
        'x-hub-signature-256': signature,
      },
    });
  /** A push to main padded to `bytes`. */
  const bigPush = (bytes: number) =>
    JSON.stringify({ ref: 'refs/heads/main', after: 'a'.repeat(40), padding: 'x'.repeat(bytes) });
  const nothingStarted = async () => {
    assert.equal((await h.store.listRuns({ limit: 10 })).length, 0, 'no run started');
    assert.ok(!existsSync(join(h.projectDir, '.slipway', 'workspaces')), 'no workspace checked out');
  };
  const stillAnswers = async () => {
    assert.deepEqual((await h.api('GET', '/healthz')).json, { status: 'ok' });
    const runs = await h.api('GET', '/api/v1/runs', { token: h.tokens.viewer });
    assert.equal(runs.status, 200);
  };

  before(async () => {
    h = await startServer(await tempProject(PIPELINE), undefined, {
      branch: 'main',
      env: { PATH: process.env.PATH, HOME: process.env.HOME, SLIPWAY_WEBHOOK_SECRET: SECRET },
    });
  });
  after(async () => {
    await h.close();
  });

  test('a correctly signed 10 MB push is 413 with a JSON error; nothing runs and the server answers the next request', async () => {
    const body = bigPush(10 * 1024 * 1024);
    const response = await hook(body, signWebhookBody(SECRET, body));
    assert.equal(response.status, 413, response.text.slice(0, 200));
    assert.match(response.headers.get('content-type') ?? '', /application\/json/);
    assert.equal(response.json.error.code, 'BODY_TOO_LARGE');
    await nothingStarted();
    await stillAnswers();
  });

  test('a badly signed push is refused whether it is over the limit or just under it', async () => {
    const big = bigPush(10 * 1024 * 1024);
    const over = await hook(big, signWebhookBody('not-the-secret', big));
    assert.ok([401, 413].includes(over.status), `over the limit: ${over.status}`);
    assert.equal(typeof over.json?.error?.code, 'string', 'a JSON error');
    const near = bigPush(1000 * 1000);
    const under = await hook(near, signWebhookBody('not-the-secret', near));
    assert.equal(under.status, 401, under.text.slice(0, 200));
    assert.equal(under.json.error.code, 'BAD_SIGNATURE');
    await nothingStarted();
    await stillAnswers();
  });

  test('four 10 MB pushes at once are all refused and the server stays up', async () => {
    const body = bigPush(10 * 1024 * 1024);
    const signature = signWebhookBody(SECRET, body);
    const answers = await Promise.all(Array.from({ length: 4 }, () => hook(body, signature)));
    assert.deepEqual(
      answers.map((a) => a.status),
      [413, 413, 413, 413],
    );
    await nothingStarted();
    const health = await timed(stillAnswers);
    assert.ok(health.ms < 2000, `the next requests took ${Math.round(health.ms)} ms`);
  });
});
