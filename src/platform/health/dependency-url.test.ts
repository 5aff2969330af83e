// Expanding `${VAR}` in dependency URLs and masking passwords for display.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { expandVars, maskUrl, urlHost } from './dependency-url.js';

describe('expandVars', () => {
  test('replaces every placeholder, leaving other dollar signs alone', () => {
    assert.deepEqual(expandVars('redis://${HOST}:${PORT}/$0', { HOST: 'cache', PORT: '6380' }), {
      ok: true,
      url: 'redis://cache:6380/$0',
    });
  });

  test('lists each unset or empty variable once, in order', () => {
    assert.deepEqual(expandVars('${A}${B}${A}${C}', { B: 'x', C: '' }), { ok: false, missing: ['A', 'C'] });
  });

  test('a URL without placeholders is unchanged', () => {
    assert.deepEqual(expandVars('http://api/health', {}), { ok: true, url: 'http://api/health' });
  });
});

describe('maskUrl', () => {
  test('masks the password and keeps the user', () => {
    assert.equal(maskUrl('postgres://app:hunter2@db:5432/shop'), 'postgres://app:***@db:5432/shop');
  });

  test('masks a password holding @ and : up to the last @ before the path', () => {
    assert.equal(maskUrl('amqp://u:p@ss:w@rd@mq/vh'), 'amqp://u:***@mq/vh');
  });

  test('masks a password query parameter', () => {
    assert.equal(
      maskUrl('postgres://db/shop?user=a&password=x&sslmode=require'),
      'postgres://db/shop?user=a&password=***&sslmode=require',
    );
  });

  test('leaves URLs without a password, and placeholders, as they are', () => {
    assert.equal(maskUrl('redis://cache:6379/0'), 'redis://cache:6379/0');
    assert.equal(maskUrl('redis://user@cache'), 'redis://user@cache');
    assert.equal(maskUrl('amqp://${U}:${P}@mq/'), 'amqp://${U}:${P}@mq/');
    assert.equal(maskUrl('${DATABASE_URL}'), '${DATABASE_URL}');
  });
});

describe('urlHost', () => {
  test('strips IPv6 brackets and defaults to localhost', () => {
    assert.equal(urlHost(new URL('redis://[::1]:6379')), '::1');
    assert.equal(urlHost(new URL('redis://cache')), 'cache');
    assert.equal(urlHost(new URL('redis:///0')), 'localhost');
  });
});
