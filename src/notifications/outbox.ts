/**
 * The notification outbox: a notification becomes one durable delivery per subscribed channel in
 * the store, keyed `<event id>/<channel name>`, so a restarted server or a second one never queues
 * it twice. `OutboxWorker` (outbox-worker.ts) sends what is queued.
 */
import type { NotificationDeliveryOperations } from '../store/notification-deliveries.js';
import type { NotificationChannel } from './channel.js';
import { isTrigger, type Notification, type Trigger } from './notification.js';

/** A channel as the outbox knows it: its name in the config, where it sends, what it is sent. */
export interface NamedChannel {
  readonly name: string;
  readonly channel: NotificationChannel;
  readonly triggers: readonly Trigger[];
}

/** The idempotency key of one event's delivery to one channel: the same on every attempt and every server. */
export function idempotencyKeyOf(eventId: string, channelName: string): string {
  return `${eventId}/${channelName}`;
}

/**
 * Queues `notification` for every channel subscribed to its trigger, and returns the names of the
 * channels it was newly queued for (a channel it was queued for before is left as it is). The
 * payload is the notification alone: the channels keep their URLs, tokens and passwords.
 */
export async function enqueueNotification(
  store: NotificationDeliveryOperations,
  notification: Notification,
  channels: readonly Pick<NamedChannel, 'name' | 'triggers'>[],
): Promise<readonly string[]> {
  const queued: string[] = [];
  for (const { name, triggers } of channels) {
    if (!triggers.includes(notification.trigger)) continue;
    const fresh = await store.enqueueNotificationDelivery({
      idempotencyKey: idempotencyKeyOf(notification.id, name),
      channel: name,
      trigger: notification.trigger,
      payload: { ...notification },
    });
    if (fresh) queued.push(name);
  }
  return queued;
}

/** The notification a stored payload holds; throws when it is not one (a payload written by something else). */
export function notificationOf(payload: Readonly<Record<string, unknown>>): Notification {
  const { trigger, id, title, text, at } = payload;
  const valid =
    isTrigger(trigger) &&
    typeof id === 'string' &&
    typeof title === 'string' &&
    typeof text === 'string' &&
    typeof at === 'number';
  if (!valid) throw new TypeError('the stored payload is not a notification');
  return payload as unknown as Notification;
}
