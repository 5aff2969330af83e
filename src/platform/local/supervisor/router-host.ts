/**
 * The router process: one Router per service unit, serving the connections the supervisor
 * accepts and hands over. It keeps its last route tables whatever happens to the agent.
 */
import type { Socket } from 'node:net';
import { Router } from '../../../router/router.js';
import type { RouterMetricsSnapshot } from '../../traffic-metrics.js';
import type { IpcChannel } from './ipc-channel.js';
import type { Reply, RouterMessage, RouterReport } from './supervisor-messages.js';

/** How long a request waits for a ready instance before 503. */
const HOLD_TIMEOUT_MS = 10_000;

/** Serves units over `channel` until told to exit or the supervisor goes away; resolves then. */
export function runRouterHost(channel: IpcChannel, log: (line: string) => void): Promise<void> {
  const routers = new Map<string, Router>();
  const send = (report: RouterReport): void => {
    if (channel.connected) channel.send(report);
  };
  const routerOf = (unit: string): Router => {
    let router = routers.get(unit);
    if (!router) {
      router = new Router({ port: 0, holdTimeoutMs: HOLD_TIMEOUT_MS, onError: (e) => log(e.message) });
      routers.set(unit, router);
    }
    return router;
  };
  const closeAll = () => Promise.all([...routers.values()].map((router) => router.close()));

  return new Promise((resolve) => {
    const finish = (): void => {
      void closeAll().then(() => resolve());
    };
    const answer = async (message: Exclude<RouterMessage, { t: 'table' | 'conn' }>): Promise<Reply> => {
      const router = message.t === 'exit' ? undefined : routers.get(message.unit);
      switch (message.t) {
        case 'metrics': {
          const empty: RouterMetricsSnapshot = { at: Date.now(), revisions: {} };
          return { t: 'reply', id: message.id, ok: true, value: router?.metrics() ?? empty };
        }
        case 'wait-idle': {
          const idle = router ? await router.waitIdle(message.instance, message.timeoutMs) : true;
          return { t: 'reply', id: message.id, ok: true, value: idle };
        }
        case 'close':
          routers.delete(message.unit);
          await router?.close();
          return { t: 'reply', id: message.id, ok: true };
        case 'exit':
          await closeAll();
          routers.clear();
          return { t: 'reply', id: message.id, ok: true };
      }
    };
    channel.on('message', (message: RouterMessage, socket?: Socket) => {
      if (message.t === 'conn') {
        // The receipt goes out before the first byte is read: until then the supervisor may give the
        // same connection to the next router if this one dies.
        send({ t: 'got', id: message.id });
        if (socket) routerOf(message.unit).accept(socket);
        return;
      }
      if (message.t === 'table') {
        try {
          routerOf(message.unit).setTable(message.table);
        } catch (error) {
          log(`ignoring the route table of ${message.unit}: ${(error as Error).message}`);
        }
        return;
      }
      void answer(message).then((reply) => {
        send(reply);
        if (message.t === 'exit') resolve();
      });
    });
    channel.once('disconnect', finish);
    send({ t: 'ready' });
  });
}
