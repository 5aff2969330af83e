import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveRelease } from '../config/release-schema.js';
import { DEFAULT_RELEASE } from './release-defaults.js';

test('the defaults equal what the schema resolves an absent release section to', () => {
  assert.deepEqual(DEFAULT_RELEASE, resolveRelease(undefined));
});
