// What an expression can see when it runs: context data plus the injected status and hashFiles providers.

/** Answers the status functions for the job being decided; `always()` needs no provider. */
export interface StatusProvider {
  success(): boolean;
  failure(): boolean;
  cancelled(): boolean;
}

/** Everything evaluation reads; keeping I/O behind `status` and `hashFiles` keeps evaluation pure. */
export interface EvalContext {
  /** Named contexts such as `needs`, `matrix`, `env`, `git`; missing names and properties read as null. */
  contexts: Record<string, unknown>;
  /** Status of earlier jobs; without it `success()` is true and `failure()`/`cancelled()` are false. */
  status?: StatusProvider;
  /** Implementation of `hashFiles(...)`; calling it without one throws EXPRESSION_UNSUPPORTED. */
  hashFiles?: (patterns: string[]) => string;
}
