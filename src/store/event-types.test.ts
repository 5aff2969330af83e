// Unit tests of the event type list.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EVENT_TYPES, isEventType } from './event-types.js';

test('event types are unique subject.predicate names', () => {
  assert.equal(new Set(EVENT_TYPES).size, EVENT_TYPES.length);
  for (const type of EVENT_TYPES) assert.match(type, /^[a-z]+\.[a-z]+$/);
});

test('isEventType accepts listed types only', () => {
  assert.equal(isEventType('service.deployed'), true);
  assert.equal(isEventType('pipelinerun.finished'), true);
  assert.equal(isEventType('service.exploded'), false);
  assert.equal(isEventType('SERVICE.DEPLOYED'), false);
  assert.equal(isEventType(42), false);
});
