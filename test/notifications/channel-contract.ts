/**
 * The one contract suite every notification channel passes, each against its real receiver on
 * loopback: one send is one delivery carrying the idempotency key, a transient failure of the
 * receiver is a retryable error and a permanent one is not, an unreachable receiver is retryable,
 * a cancelled send delivers nothing, and no error ever shows a secret.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { inspect } from 'node:util';
import type { NotificationChannel } from '../../src/notifications/channel.js';
import { NotificationError } from '../../src/notifications/errors.js';
import type { Notification } from '../../src/notifications/notification.js';

/** A channel wired to its receiver, as the suite drives it. */
export interface ChannelHarness {
  readonly channel: NotificationChannel;
  /** Values that must never appear in anything thrown (URL, token, password, key). */
  readonly secrets: readonly string[];
  /** The idempotency keys of the deliveries the receiver accepted, in order. */
  deliveredKeys(): Promise<readonly string[]>;
  /** Makes the receiver fail the next send, transiently (5xx, SMTP 4xx) or for good (4xx, SMTP 5xx). */
  failNext(failure: 'transient' | 'permanent'): void;
  /** The same channel configured for a port where nothing listens. */
  unreachableChannel(): Promise<NotificationChannel>;
  close(): Promise<void>;
}

/** Runs the contract against the channel `start` builds; `skip` as for `describe`. */
export function describeChannelContract(
  name: string,
  start: () => Promise<ChannelHarness>,
  notification: Notification,
  skip: false | string = false,
): void {
  describe(`notification channel contract: ${name}`, { skip }, () => {
    let harness: ChannelHarness;
    before(async () => {
      harness = await start();
    });
    after(async () => {
      await harness?.close();
    });

    it('delivers one notification once, carrying the idempotency key', async () => {
      const before = (await harness.deliveredKeys()).length;
      await harness.channel.send(notification, 'delivery-once-1');
      const keys = await harness.deliveredKeys();
      assert.deepEqual(keys.slice(before), ['delivery-once-1']);
    });

    it('fails retryably when the receiver fails transiently, and keeps secrets out', async () => {
      harness.failNext('transient');
      const error = await rejection(harness.channel.send(notification, 'delivery-transient-1'));
      assert.equal(error.retryable, true, `${error.code}: ${error.message}`);
      assert.equal(error.kind, 'unavailable');
      assertNoSecret(error, harness.secrets);
      // The receiver is fine again: the retry goes through.
      await harness.channel.send(notification, 'delivery-transient-1');
      assert.equal((await harness.deliveredKeys()).at(-1), 'delivery-transient-1');
    });

    it('fails permanently when the receiver refuses, and keeps secrets out', async () => {
      harness.failNext('permanent');
      const error = await rejection(harness.channel.send(notification, 'delivery-permanent-1'));
      assert.equal(error.retryable, false, `${error.code}: ${error.message}`);
      assertNoSecret(error, harness.secrets);
    });

    it('fails retryably when nothing listens, and keeps secrets out', async () => {
      const channel = await harness.unreachableChannel();
      const error = await rejection(channel.send(notification, 'delivery-unreachable-1'));
      assert.equal(error.retryable, true, `${error.code}: ${error.message}`);
      assertNoSecret(error, harness.secrets);
    });

    it('delivers nothing when cancelled before sending', async () => {
      const before = (await harness.deliveredKeys()).length;
      const error = await rejection(
        harness.channel.send(notification, 'delivery-cancelled-1', AbortSignal.abort()),
      );
      assert.equal(error.code, 'CANCELLED');
      assert.equal((await harness.deliveredKeys()).length, before);
    });

    it('keeps secrets out of its JSON, string and inspected forms', () => {
      const forms = [JSON.stringify(harness.channel), String(harness.channel), inspect(harness.channel)];
      for (const form of forms) for (const secret of harness.secrets) assert.ok(!form.includes(secret), form);
    });
  });
}

/** The `NotificationError` a send rejects with (fails the test if it resolves or throws another error). */
export async function rejection(sending: Promise<void>): Promise<NotificationError> {
  try {
    await sending;
  } catch (error) {
    assert.ok(error instanceof NotificationError, `expected a NotificationError, got ${inspect(error)}`);
    return error;
  }
  assert.fail('the send succeeded');
}

/** Fails if any secret shows in the error's message, stack or causes. */
export function assertNoSecret(error: Error, secrets: readonly string[]): void {
  const shown = `${String(error)}\n${error.stack ?? ''}\n${inspect(error, { depth: 10, showHidden: true })}`;
  for (const secret of secrets) assert.ok(!shown.includes(secret), `a secret shows in:\n${shown}`);
}

/** A port on 127.0.0.1 where nothing listens (bound, then released). */
export async function closedPort(): Promise<number> {
  const { createServer } = await import('node:net');
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  assert.ok(address !== null && typeof address === 'object');
  return address.port;
}
