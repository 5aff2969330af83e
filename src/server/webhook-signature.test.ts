import assert from 'node:assert/strict';
import { test } from 'node:test';
import { signWebhookBody, verifyWebhookSignature } from './webhook-signature.js';

test("webhook signature: GitHub's documented example verifies; a changed body, secret or header does not", () => {
  // The example from GitHub's "Validating webhook deliveries" page.
  const header = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';
  assert.equal(signWebhookBody("It's a Secret to Everybody", 'Hello, World!'), header);
  const body = Buffer.from('Hello, World!');
  assert.equal(verifyWebhookSignature("It's a Secret to Everybody", body, header), true);
  assert.equal(
    verifyWebhookSignature("It's a Secret to Everybody", Buffer.from('Hello, World?'), header),
    false,
  );
  assert.equal(verifyWebhookSignature('another secret', body, header), false);
  assert.equal(verifyWebhookSignature("It's a Secret to Everybody", body, undefined), false);
  assert.equal(verifyWebhookSignature("It's a Secret to Everybody", body, header.slice(0, -2)), false);
  assert.equal(
    verifyWebhookSignature("It's a Secret to Everybody", body, header.replace('sha256', 'sha1')),
    false,
  );
});
