/**
 * Evaluates a flag set the way flagd does: `@openfeature/flagd-core`, flagd's own JavaScript
 * engine, does the evaluating; this module only shapes its answers as OFREP responses
 * (https://github.com/open-feature/protocol, service/openapi.yaml), mapped as flagd's own OFREP
 * service maps them: DISABLED and a DEFAULT with no default variant carry no value (the
 * application's code default applies), FLAG_NOT_FOUND is a 404, other errors a 400.
 */
import { createHash } from 'node:crypto';
import type { EvaluationContext, Logger } from '@openfeature/core';
import { FlagdCore } from '@openfeature/flagd-core';
import { FlagError } from './errors.js';
import type { FlagDocument, JsonValue } from './flag-document.js';

/** A flag set at one version: what agents and the server serve. */
export interface FlagSnapshot {
  /** Increases with every change; 0 for a set that has never been recorded. */
  readonly version: number;
  readonly document: FlagDocument;
}

/** A successful evaluation; `value` and `variant` are absent when the code default applies. */
export interface OfrepSuccess {
  readonly key: string;
  readonly value?: JsonValue;
  readonly reason: string;
  readonly variant?: string;
  readonly metadata: Readonly<Record<string, string | number | boolean>>;
}

/** A failed evaluation of one flag. */
export interface OfrepFailure {
  readonly key: string;
  readonly errorCode: string;
  readonly errorDetails: string;
  readonly metadata?: Readonly<Record<string, string | number | boolean>>;
}

/** One flag's evaluation with the HTTP status a single evaluation answers with. */
export type OfrepEvaluation =
  | { readonly status: 200; readonly body: OfrepSuccess }
  | { readonly status: 400 | 404; readonly body: OfrepFailure };

// flagd-core logs targeting problems; the answers carry them, so the engine stays quiet.
const QUIET: Logger = { error() {}, warn() {}, info() {}, debug() {} };

/** A flag set ready to evaluate. Immutable: a change builds a new engine. */
export class FlagEngine {
  private readonly core: FlagdCore;
  /** A hash of the document: equal documents give equal hashes on every host. */
  readonly digest: string;

  constructor(readonly snapshot: FlagSnapshot) {
    this.core = new FlagdCore(undefined, QUIET);
    const json = JSON.stringify(snapshot.document);
    try {
      // Schema checks happen where a document is accepted (config load, each change); here the
      // engine only refuses what it cannot build (a default variant that is not a variant).
      this.core.setConfigurations(json);
    } catch (error) {
      throw new FlagError(
        'FLAG_DEFINITION_INVALID',
        `the flag set is not a valid flagd definition: ${(error as Error).message}`,
        { cause: error },
      );
    }
    this.digest = createHash('sha256').update(json).digest('hex').slice(0, 16);
  }

  /** The flag keys of the set. */
  keys(): string[] {
    return [...this.core.getFlags().keys()];
  }

  /** Evaluates one flag for `context`, as `POST /ofrep/v1/evaluate/flags/{key}` answers. */
  evaluate(key: string, context: EvaluationContext): OfrepEvaluation {
    const flag = this.core.getFlag(key);
    if (!flag) {
      return {
        status: 404,
        body: { key, errorCode: 'FLAG_NOT_FOUND', errorDetails: `flag '${key}' was not found` },
      };
    }
    const metadata = flag.metadata as OfrepSuccess['metadata'];
    if (flag.state === 'DISABLED') return { status: 200, body: { key, reason: 'DISABLED', metadata } };
    const r = flag.evaluate(context);
    if (r.reason === 'ERROR') {
      return {
        status: 400,
        body: {
          key,
          errorCode: r.errorCode ?? 'GENERAL',
          errorDetails: r.errorMessage ?? 'evaluation failed',
          metadata,
        },
      };
    }
    if (r.value === undefined || r.variant === undefined)
      return { status: 200, body: { key, reason: r.reason, metadata } };
    return {
      status: 200,
      body: { key, value: r.value as JsonValue, reason: r.reason, variant: r.variant, metadata },
    };
  }

  /** Evaluates every flag for `context`, as the bulk evaluation lists them. */
  evaluateAll(context: EvaluationContext): (OfrepSuccess | OfrepFailure)[] {
    return this.keys().map((key) => this.evaluate(key, context).body);
  }

  /** The flag set's metadata, as the bulk evaluation reports it. */
  metadata(): Readonly<Record<string, string | number | boolean>> {
    return this.core.getFlagSetMetadata() as Readonly<Record<string, string | number | boolean>>;
  }
}
