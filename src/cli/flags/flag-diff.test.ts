import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FlagDefinition } from '../../flags/flag-document.js';
import { describeFlagDiff, weightsOf } from './flag-diff.js';

const base: FlagDefinition = { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'off' };

test('a new flag, a removed one and an unchanged one', () => {
  assert.deepEqual(describeFlagDiff(null, base), ['created: ENABLED, default off, variants on, off']);
  assert.deepEqual(describeFlagDiff(base, null), ['removed']);
  assert.deepEqual(describeFlagDiff(base, { ...base }), ['no change']);
});

test('each field that changed is one line', () => {
  const after: FlagDefinition = {
    state: 'DISABLED',
    variants: { on: 'yes', blue: 1 },
    defaultVariant: null,
    targeting: {
      fractional: [
        ['on', 5],
        ['blue', 95],
      ],
    },
    metadata: { team: 'shop' },
  };
  assert.deepEqual(describeFlagDiff(base, after), [
    'state ENABLED -> DISABLED',
    'default off -> none',
    'variant on: true -> "yes"',
    'variant blue added: 1',
    'variant off removed',
    'targeting none -> weights on=5,blue=95',
    'metadata {} -> {"team":"shop"}',
  ]);
});

test('targeting that is not a bare split is shown as short JSON', () => {
  const rule = {
    if: [{ in: [{ var: 'email' }, ['a@example.com', 'b@example.com', 'c@example.com']] }, 'on', null],
  };
  const [line] = describeFlagDiff(base, { ...base, targeting: rule });
  assert.match(line ?? '', /^targeting none -> \{"if":.*\.\.\.$/);
  assert.ok((line ?? '').length < 100);
});

test('weightsOf reads only a bare fractional split', () => {
  assert.equal(
    weightsOf({
      fractional: [
        ['on', 5],
        ['off', 95],
      ],
    }),
    'on=5,off=95',
  );
  assert.equal(weightsOf({ fractional: [{ var: 'email' }, ['on', 5], ['off', 95]] }), undefined);
  assert.equal(weightsOf({ if: [true, 'on', 'off'] }), undefined);
  assert.equal(weightsOf(undefined), undefined);
});
