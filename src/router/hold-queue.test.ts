import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type Holdable, HoldQueue } from './hold-queue.js';

class Item implements Holdable {
  routable = false;
  readonly log: string[];
  constructor(
    readonly name: string,
    log: string[],
  ) {
    this.log = log;
  }
  retry(): boolean {
    if (this.routable) this.log.push(`routed ${this.name}`);
    return this.routable;
  }
  expire(): void {
    this.log.push(`expired ${this.name}`);
  }
}

describe('HoldQueue', () => {
  test('flush routes what it can, in arrival order, and keeps the rest', () => {
    const log: string[] = [];
    const queue = new HoldQueue<Item>(10, 10_000);
    const items = ['a', 'b', 'c'].map((name) => new Item(name, log));
    for (const item of items) assert.equal(queue.add(item), true);
    items[0]!.routable = true;
    items[2]!.routable = true;
    queue.flush();
    assert.deepEqual(log, ['routed a', 'routed c']);
    assert.equal(queue.size, 1);
    queue.expireAll();
    assert.deepEqual(log, ['routed a', 'routed c', 'expired b']);
    assert.equal(queue.size, 0);
  });

  test('refuses past maxHeld or with holding disabled', () => {
    const log: string[] = [];
    const full = new HoldQueue<Item>(1, 10_000);
    assert.equal(full.add(new Item('a', log)), true);
    assert.equal(full.add(new Item('b', log)), false);
    full.expireAll();
    assert.equal(new HoldQueue<Item>(10, 0).add(new Item('c', log)), false);
  });

  test('expires an item after the timeout unless removed first', async () => {
    const log: string[] = [];
    const queue = new HoldQueue<Item>(10, 30);
    const kept = new Item('kept', log);
    const removed = new Item('removed', log);
    queue.add(kept);
    queue.add(removed);
    queue.remove(removed);
    await new Promise((resolve) => setTimeout(resolve, 80));
    assert.deepEqual(log, ['expired kept']);
    assert.equal(queue.size, 0);
  });
});
