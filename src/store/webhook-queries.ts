// The webhook deliveries part of the store contract over Kysely: one row per delivery id, so a redelivery is seen.
import type { Kysely } from 'kysely';
import { isUniqueViolation, toStoreError } from './driver-errors.js';
import { StoreError } from './errors.js';
import type { Database } from './schema.js';
import type { NewWebhookDelivery } from './store.js';

/** Records a delivery; false when its id was already recorded (the unique key decides, even under races). */
export async function recordWebhookDelivery(
  db: Kysely<Database>,
  now: number,
  input: NewWebhookDelivery,
): Promise<boolean> {
  if (typeof input.deliveryId !== 'string' || input.deliveryId.trim() === '')
    throw new StoreError('INVALID_INPUT', 'a webhook delivery needs a non-empty id');
  if (typeof input.event !== 'string' || input.event.trim() === '')
    throw new StoreError('INVALID_INPUT', 'a webhook delivery needs a non-empty event');
  try {
    await db
      .insertInto('webhook_deliveries')
      .values({ delivery_id: input.deliveryId, event: input.event, received_at: now })
      .execute();
    return true;
  } catch (error) {
    if (isUniqueViolation(error)) return false;
    throw toStoreError('recording a webhook delivery', error);
  }
}
