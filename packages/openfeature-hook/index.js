// Tells the Slipway router which feature flag variants served each request: an OpenFeature hook
// records every evaluated `flag=variant` in the request's own record (AsyncLocalStorage), and a
// wrapper around the node:http handler writes them into the x-slipway-flag-variants response
// header just before the headers leave. The router counts each response under those variants.
import { AsyncLocalStorage } from 'node:async_hooks';

/** The response header the Slipway router reads: `flag=variant, flag=variant`. */
export const FLAG_VARIANTS_HEADER = 'x-slipway-flag-variants';

/** Most pairs one response names; the router reads no more either. */
const MAX_PAIRS = 16;
/** Longest `flag=variant` the router reads. */
const MAX_PAIR_LENGTH = 256;

// One store per loaded copy of this module: the hook and the wrapper must come from the same copy.
const storage = new AsyncLocalStorage();

/** Visible ASCII but `,` and `=`: what the header can carry without quoting. */
function isPlainText(text) {
  if (text.length === 0) return false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x21 || code > 0x7e || code === 0x2c || code === 0x3d) return false;
  }
  return true;
}

/** The header value of a record, or undefined when it holds no pair. */
function headerValue(record) {
  return record.pairs.size === 0 ? undefined : [...record.pairs].join(', ');
}

/**
 * An OpenFeature server hook: after each successful evaluation inside withFlagVariants (or
 * runWithFlagVariants), records `flagKey=variant` for the current request. Evaluations without a
 * variant (the code default applied), outside a request, after the headers were sent, or whose key
 * or variant holds characters other than visible ASCII, `,` or `=` are not recorded.
 */
export class FlagVariantsHook {
  after(hookContext, evaluationDetails) {
    const record = storage.getStore();
    if (record === undefined || record.sealed || record.pairs.size >= MAX_PAIRS) return;
    const flagKey = evaluationDetails?.flagKey ?? hookContext?.flagKey;
    const variant = evaluationDetails?.variant;
    if (typeof flagKey !== 'string' || typeof variant !== 'string') return;
    if (!isPlainText(flagKey) || !isPlainText(variant)) return;
    const pair = `${flagKey}=${variant}`;
    if (pair.length <= MAX_PAIR_LENGTH) record.pairs.add(pair);
  }
}

/** Sets the header once, just before the response's headers are written (explicitly or by write/end). */
function sealOnWriteHead(res, record) {
  const writeHead = res.writeHead;
  res.writeHead = function writeHeadWithFlagVariants(...args) {
    if (!record.sealed) {
      record.sealed = true;
      const value = headerValue(record);
      if (value !== undefined && !this.headersSent && !this.hasHeader(FLAG_VARIANTS_HEADER)) {
        this.setHeader(FLAG_VARIANTS_HEADER, value);
      }
    }
    return writeHead.apply(this, args);
  };
}

/**
 * Wraps a node:http request handler (an express app, a fastify serverFactory's handler, ...) so each
 * request runs with its own record and its response carries x-slipway-flag-variants naming the
 * variants evaluated before its headers were sent.
 */
export function withFlagVariants(handler) {
  return function flagVariantsHandler(req, res, ...rest) {
    const record = { pairs: new Set(), sealed: false };
    sealOnWriteHead(res, record);
    return storage.run(record, () => handler.call(this, req, res, ...rest));
  };
}

/** Runs `fn` with a record of its own, for code that writes its response headers itself. */
export function runWithFlagVariants(fn) {
  return storage.run({ pairs: new Set(), sealed: false }, fn);
}

/** The x-slipway-flag-variants value for the current request so far, or undefined when there is none. */
export function flagVariantsHeader() {
  const record = storage.getStore();
  return record === undefined ? undefined : headerValue(record);
}
