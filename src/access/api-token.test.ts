// Unit tests of token generation, hashing and the role order.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateToken, hashToken, isRole, ROLES, roleAtLeast } from './api-token.js';

test('tokens are slw_ and 32 random bytes in base64url, different every time', () => {
  const tokens = new Set(Array.from({ length: 50 }, generateToken));
  assert.equal(tokens.size, 50);
  for (const token of tokens) {
    assert.match(token, /^slw_[A-Za-z0-9_-]{43}$/);
    assert.equal(Buffer.from(token.slice(4), 'base64url').length, 32);
  }
});

test('hashToken is the hex sha256', () => {
  assert.equal(hashToken('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
});

test('roles are ordered viewer < deployer < approver < admin', () => {
  assert.deepEqual(ROLES, ['viewer', 'deployer', 'approver', 'admin']);
  assert.equal(roleAtLeast('admin', 'approver'), true);
  assert.equal(roleAtLeast('approver', 'approver'), true);
  assert.equal(roleAtLeast('deployer', 'approver'), false);
  assert.equal(roleAtLeast('viewer', 'deployer'), false);
  assert.equal(isRole('deployer'), true);
  assert.equal(isRole('root'), false);
});
