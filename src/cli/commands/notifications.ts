/** `slipway notifications list`: the deliveries of the notification outbox, read from the project's store. */

import {
  DELIVERY_STATUSES,
  type DeliveryStatus,
  type NotificationDelivery,
} from '../../store/notification-deliveries.js';
import type { CommandContext } from '../context.js';
import { UsageError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { openProjectStore, projectDirOf } from '../project.js';
import { requireLocal } from '../remote/remote-context.js';

/** A delivery as listed: everything but the notification itself, plus its title. */
type ListedDelivery = Omit<NotificationDelivery, 'payload'> & { readonly title: string | null };

function parseStatus(text: string | undefined): DeliveryStatus | undefined {
  if (text === undefined) return undefined;
  if ((DELIVERY_STATUSES as readonly string[]).includes(text)) return text as DeliveryStatus;
  throw new UsageError(`--status must be one of ${DELIVERY_STATUSES.join(', ')}, got '${text}'`);
}

function parseLimit(text: string | undefined): number {
  const limit = text === undefined ? 50 : Number(text);
  if (!Number.isInteger(limit) || limit < 1)
    throw new UsageError(`--limit must be a positive integer, got '${text}'`);
  return limit;
}

function listed({ payload, ...delivery }: NotificationDelivery): ListedDelivery {
  return { ...delivery, title: typeof payload.title === 'string' ? payload.title : null };
}

const time = (ms: number) => new Date(ms).toISOString().replace('T', ' ').slice(0, 19);

/** The time column that matters for the delivery's status. */
function when(d: ListedDelivery): string {
  if (d.status === 'delivered' && d.deliveredAt !== null) return `delivered ${time(d.deliveredAt)}`;
  if (d.status === 'pending') return `next try ${time(d.nextAttemptAt)}`;
  if (d.status === 'sending' && d.leaseExpiresAt !== null) return `lease until ${time(d.leaseExpiresAt)}`;
  return `gave up ${time(d.updatedAt)}`;
}

function printDeliveries(ctx: CommandContext, deliveries: readonly ListedDelivery[]): void {
  if (ctx.output.json) {
    ctx.output.data(deliveries);
    return;
  }
  if (deliveries.length === 0) ctx.output.line('no notification deliveries');
  const paint = { failed: 'red', delivered: 'green', pending: 'yellow', sending: 'cyan' } as const;
  for (const d of deliveries) {
    const status = ctx.output.paint(paint[d.status], d.status.padEnd(9));
    const attempts = `${d.attempts} attempt${d.attempts === 1 ? '' : 's'}`;
    ctx.output.line(
      `${String(d.id).padStart(5)}  ${status}  ${d.channel}  ${d.trigger}  ${attempts}  queued ${time(d.createdAt)}  ${when(d)}`,
    );
    if (d.lastError !== null && d.status !== 'delivered')
      ctx.output.line(`       last error: ${d.lastError}`);
  }
}

/** Lists the outbox's deliveries, newest first. */
export async function notificationsList(
  ctx: CommandContext,
  options: { status?: string; limit?: string },
): Promise<number> {
  requireLocal(ctx, '`slipway notifications list`');
  const status = parseStatus(options.status);
  const limit = parseLimit(options.limit);
  const store = await openProjectStore(ctx, projectDirOf(ctx));
  try {
    const deliveries = await store.listNotificationDeliveries({
      limit,
      ...(status === undefined ? {} : { status }),
    });
    printDeliveries(ctx, deliveries.map(listed));
    return ExitCode.Ok;
  } finally {
    await store.close();
  }
}
