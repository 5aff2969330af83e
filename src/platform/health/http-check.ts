/** The HTTP dependency check: a GET that passes on 200-399. */
import type { CheckOutcome } from './check-outcome.js';
import { httpGet } from './http-get.js';

/** GETs `url` (http or https) within `timeoutMs`. */
export function checkHttp(url: URL, timeoutMs: number): Promise<CheckOutcome> {
  return httpGet(url, timeoutMs);
}
