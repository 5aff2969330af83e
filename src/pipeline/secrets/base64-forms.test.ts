import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { test } from 'node:test';
import { base64Forms } from './base64-forms.js';

const b64 = (bytes: Buffer | string): string => Buffer.from(bytes).toString('base64');

test('the forms are the padded encoding plus the stable inner part of each alignment', () => {
  assert.deepEqual(base64Forms('hunter2'), ['aHVudGVyMg==', 'aHVudGVyM', 'h1bnRlcj', 'odW50ZXIy']);
});

test('whatever bytes surround the value, the form for its alignment appears in the encoding', () => {
  const value = 'pa55-wörd';
  const forms = base64Forms(value);
  for (let before = 0; before <= 5; before += 1) {
    for (let after = 0; after <= 4; after += 1) {
      for (const fill of [0x00, 0xff, 0x41]) {
        const encoded = b64(
          Buffer.concat([Buffer.alloc(before, fill), Buffer.from(value), Buffer.alloc(after, fill ^ 0x5a)]),
        );
        const inner = forms.slice(1);
        assert.ok(
          inner.some((form) => encoded.includes(form)),
          `no form of ${before} + value + ${after} bytes of ${fill} in ${encoded}`,
        );
        // The form for this alignment is specific: it is the one for `before % 3`.
        assert.ok(encoded.includes(inner[before % 3]!), `alignment ${before % 3} in ${encoded}`);
      }
    }
  }
});
