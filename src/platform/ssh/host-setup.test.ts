/** The host check's pure parts: reading the script's answer, naming what is missing, expanding `~`. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expandHome, missingOnHost, parseHostFacts } from './host-setup.js';

test('the check answer is read into facts', () => {
  assert.deepEqual(parseHostFacts('home /root\nnode v20.19.0\ntools-missing\n'), {
    home: '/root',
    node: 'v20.19.0',
    missingTools: [],
  });
  assert.deepEqual(parseHostFacts('home /h\nnode-missing\ntools-missing sha256sum find\n'), {
    home: '/h',
    node: undefined,
    missingTools: ['sha256sum', 'find'],
  });
  assert.equal(parseHostFacts('Welcome to the host\n'), undefined);
});

test('a ready host lacks nothing; an old or absent Node.js and missing tools are each named', () => {
  assert.deepEqual(missingOnHost({ home: '/', node: 'v22.1.0', missingTools: [] }, '>=20'), []);
  const old = missingOnHost({ home: '/', node: 'v18.19.0', missingTools: [] }, '>=20');
  assert.equal(old.length, 1);
  assert.match(
    old[0]!,
    /^Node\.js >= 20 on its PATH \(found: v18\.19\.0\); install it, e\.g\. apt-get install nodejs/,
  );
  const none = missingOnHost({ home: '/', node: undefined, missingTools: ['sha256sum', 'find'] }, '>=20');
  assert.match(none[0]!, /\(found: none\)/);
  assert.match(none[1]!, /^sha256sum, find on its PATH .*apt-get install coreutils findutils$/);
});

test('a leading ~ becomes the host HOME', () => {
  assert.equal(expandHome('~/.slipway', '/home/deploy'), '/home/deploy/.slipway');
  assert.equal(expandHome('~', '/root'), '/root');
  assert.equal(expandHome('/srv/slipway', '/root'), '/srv/slipway');
});
