/**
 * The HMAC-SHA256 signature of a webhook body, in GitHub's format (`sha256=<hex>` in a header), and
 * its constant-time check for receivers. Signed over the exact body bytes sent.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** The header carrying the signature. */
export const SIGNATURE_HEADER = 'x-slipway-signature-256';

/** `sha256=<hex>`: the HMAC-SHA256 of `body` under `secret`. */
export function signBody(body: string | Uint8Array, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** True when `signature` (the header's value) is the signature of `body` under `secret`. */
export function verifySignature(
  body: string | Uint8Array,
  secret: string,
  signature: string | undefined,
): boolean {
  if (signature === undefined) return false;
  const expected = Buffer.from(signBody(body, secret));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
