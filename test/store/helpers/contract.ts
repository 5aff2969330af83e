// Shared pieces of the store contract suite: a valid commit SHA and the StoreError assertion.
import assert from 'node:assert/strict';
import { isStoreError, type StoreErrorCode } from '../../../src/store/errors.js';

/** A well-formed commit SHA for events, runs and rollouts. */
export const SHA = 'a'.repeat(40);

/** Asserts that `promise` rejects with a StoreError of `code`. */
export async function rejectsWith(promise: Promise<unknown>, code: StoreErrorCode): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(isStoreError(error), `expected a StoreError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    return true;
  });
}
