/** Follows a rollout on a server through its recorded events, printing them like the local controller. */
import type { StoredEvent } from '../../store/store.js';
import type { CommandContext } from '../context.js';
import type { ApiClient } from './api-client.js';
import { EventFollower, EventPump } from './event-follower.js';

/** How a followed rollout ended. */
export interface RolloutEnd {
  readonly rollout: number;
  readonly status: 'completed' | 'rolled_back' | 'aborted';
  readonly revision: string;
  readonly reason?: string;
}

/** The API path of a service in an environment. */
export function servicePath(service: string, env: string): string {
  return `/api/v1/services/${encodeURIComponent(service)}/environments/${encodeURIComponent(env)}`;
}

/** Opens the event stream of a service before a deploy or rollback is asked for, so none of its events is missed. */
export function watchService(client: ApiClient, service: string): Promise<EventFollower> {
  return EventFollower.open(client, { service });
}

const CHECK_MS = 2000;
const TERMINAL = new Set(['completed', 'rolled_back', 'aborted']);

/**
 * Prints the events of rollout `rolloutId` of `service` in `env` (the first one started there
 * when null) until it ends, then returns how. The rollout's record is checked every few seconds
 * too, in case the stream misses its end.
 */
export async function followRollout(
  ctx: CommandContext,
  client: Pick<ApiClient, 'get'>,
  events: AsyncIterable<StoredEvent>,
  ref: { service: string; env: string },
  rolloutId: number | null,
): Promise<RolloutEnd> {
  const { output } = ctx;
  let id = rolloutId;
  let revision = '';
  const emit = (doc: Record<string, unknown>, line: string) => {
    if (output.json) output.data({ ...doc, time: new Date().toISOString() });
    else output.line(line);
  };
  const finish = (end: RolloutEnd): RolloutEnd => {
    const color = end.status === 'completed' ? 'green' : 'red';
    emit(
      { type: 'rollout.finished', ...end },
      output.paint(color, `rollout ${end.status}${end.reason ? `: ${end.reason}` : ''} (${end.revision})`),
    );
    return end;
  };
  const pump = new EventPump<StoredEvent>(events);
  let checkedAt = Date.now();
  for (;;) {
    const next = await pump.next(500);
    if (next.kind === 'item') {
      const e = next.value;
      const data = e.data;
      if (e.environment !== ref.env || typeof data.rollout !== 'number') continue;
      if (id === null && e.type === 'rollout.started') id = data.rollout;
      if (data.rollout !== id) continue;
      const reason = typeof data.reason === 'string' ? data.reason : undefined;
      switch (e.type) {
        case 'rollout.started':
          revision = String(data.revision ?? '');
          emit(
            { type: 'rollout.started', rollout: id, revision, stable: data.stable ?? null },
            `rollout ${id} of ${revision} started (${String(data.strategy)}, ${String(data.steps)} steps${data.stable ? `, from ${String(data.stable)}` : ''})`,
          );
          break;
        case 'rollout.progressed':
          emit(
            { type: 'rollout.step', rollout: id, step: data.step, action: data.action },
            `step ${Number(data.step) + 1}: ${String(data.action)}`,
          );
          break;
        case 'rollout.paused':
          emit(
            { type: 'rollout.paused', rollout: id, step: data.step, reason },
            output.paint('yellow', `paused: ${reason ?? ''}`),
          );
          break;
        case 'service.rolledback':
          // A manual rollback records this after it completed; the controller's own rollback before.
          if (data.manual === true) break;
          emit(
            { type: 'rollout.rollback', rollout: id, reason, restoreMs: data.restoreMs },
            output.paint(
              'red',
              `rolling back: ${reason ?? ''} (traffic restored in ${String(data.restoreMs)} ms)`,
            ),
          );
          break;
        case 'rollout.completed':
          return finish({
            rollout: id,
            status: 'completed',
            revision: String(data.revision ?? revision),
          });
        case 'rollout.aborted':
          return finish({
            rollout: id,
            status: data.rolledBack === true ? 'rolled_back' : 'aborted',
            revision,
            ...(reason === undefined ? {} : { reason }),
          });
      }
      continue;
    }
    if (next.kind === 'end') await new Promise((resolve) => setTimeout(resolve, 500));
    if (id !== null && Date.now() - checkedAt >= CHECK_MS) {
      checkedAt = Date.now();
      const { rollouts } = await client.get<{
        rollouts: { id: number; phase: string; revision: string; reason: string | null }[];
      }>(`${servicePath(ref.service, ref.env)}/history`, { limit: 20 });
      const found = rollouts.find((r) => r.id === id);
      if (found && TERMINAL.has(found.phase))
        return finish({
          rollout: found.id,
          status: found.phase as RolloutEnd['status'],
          revision: found.revision,
          ...(found.reason === null ? {} : { reason: found.reason }),
        });
    }
  }
}
