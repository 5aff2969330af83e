// Types of @slipway/openfeature-hook (index.js).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EvaluationDetails, FlagValue, Hook, HookContext } from '@openfeature/server-sdk';

/** The response header the Slipway router reads: `flag=variant, flag=variant`. */
export declare const FLAG_VARIANTS_HEADER: 'x-slipway-flag-variants';

/**
 * An OpenFeature server hook: after each successful evaluation inside withFlagVariants (or
 * runWithFlagVariants), records `flagKey=variant` for the current request.
 */
export declare class FlagVariantsHook implements Hook {
  after(hookContext: Readonly<HookContext>, evaluationDetails: EvaluationDetails<FlagValue>): void;
}

/**
 * Wraps a node:http request handler so each request runs with its own record and its response
 * carries x-slipway-flag-variants naming the variants evaluated before its headers were sent.
 */
export declare function withFlagVariants<
  Req extends IncomingMessage,
  Res extends ServerResponse,
  Rest extends unknown[],
  Result,
>(handler: (req: Req, res: Res, ...rest: Rest) => Result): (req: Req, res: Res, ...rest: Rest) => Result;

/** Runs `fn` with a record of its own, for code that writes its response headers itself. */
export declare function runWithFlagVariants<T>(fn: () => T): T;

/** The x-slipway-flag-variants value for the current request so far, or undefined when there is none. */
export declare function flagVariantsHeader(): string | undefined;
