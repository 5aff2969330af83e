// Notification routes: the outbox's deliveries, newest first, so failed ones can be seen.
import { z } from 'zod';
import { type ApiRoute, defineRoute } from '../api-route.js';
import { AUTH_ERRORS, limitQuery } from '../schemas.js';
import type { ServerContext } from '../server-context.js';

const STATUSES = ['pending', 'sending', 'delivered', 'failed'] as const;

const DeliverySchema = z
  .object({
    id: z.number().int(),
    channel: z.string(),
    trigger: z.string(),
    title: z.string().describe("the notification's title"),
    status: z.enum(STATUSES),
    attempts: z.number().int(),
    lastError: z.string().nullable().describe('the last failure, secrets already hidden'),
    nextAttemptAt: z.number().int(),
    createdAt: z.number().int(),
    deliveredAt: z.number().int().nullable(),
  })
  .meta({ id: 'NotificationDelivery' });

/** The routes under /api/v1/notifications. */
export function notificationRoutes(ctx: ServerContext): ApiRoute[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/api/v1/notifications',
      summary: "The notification outbox's deliveries, newest first",
      tag: 'notifications',
      role: 'viewer',
      query: z.strictObject({ status: z.enum(STATUSES).optional(), limit: limitQuery }),
      responses: {
        200: { description: 'deliveries', schema: z.object({ deliveries: z.array(DeliverySchema) }) },
        ...AUTH_ERRORS,
      },
      async handler({ query }) {
        const deliveries = await ctx.store.listNotificationDeliveries({
          ...(query.status ? { status: query.status } : {}),
          limit: query.limit ?? 100,
        });
        return {
          deliveries: deliveries.map((d) => ({
            id: d.id,
            channel: d.channel,
            trigger: d.trigger,
            title: typeof d.payload.title === 'string' ? d.payload.title : d.trigger,
            status: d.status,
            attempts: d.attempts,
            lastError: d.lastError,
            nextAttemptAt: d.nextAttemptAt,
            createdAt: d.createdAt,
            deliveredAt: d.deliveredAt,
          })),
        };
      },
    }),
  ];
}
