/**
 * Evaluates a flag set the way flagd does: `@openfeature/flagd-core`, flagd's own JavaScript
 * engine, does the evaluating; this module only shapes its answers as OFREP responses
 * (https://github.com/open-feature/protocol, service/openapi.yaml), mapped as flagd's own OFREP
 * service maps them: DISABLED and a DEFAULT with no default variant carry no value (the
 * application's code default applies), FLAG_NOT_FOUND is a 404, other errors a 400.
 */
import { createHash } from 'node:crypto';
import type { EvaluationContext, Logger } from '@openfeature/core';
import { type FeatureFlag, FlagdCore } from '@openfeature/flagd-core';
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

/** An evaluation ready to send: its status, its body, and the body as JSON. */
export type OfrepAnswer = OfrepEvaluation & { readonly json: string };

type Metadata = Readonly<Record<string, string | number | boolean>>;

/** One flag of the set, with the answers it has given (see FlagEngine#answer). */
interface Entry {
  readonly key: string;
  readonly flag: FeatureFlag;
  readonly metadata: Metadata;
  /** The answer whatever the context: disabled, no targeting, or targeting that does not parse. */
  fixed?: OfrepAnswer;
  /** Successful answers by reason, then variant (undefined: no value): at most three reasons times the variants. */
  readonly answers: Map<string, Map<string | undefined, OfrepAnswer>>;
}

// flagd-core logs targeting problems; the answers carry them, so the engine stays quiet.
const QUIET: Logger = { error() {}, warn() {}, info() {}, debug() {} };

/**
 * A flag set ready to evaluate. Immutable: a change builds a new engine. flagd-core picks the
 * variant; the answer for a flag, reason and variant is always the same, so each is built and
 * turned into JSON once and kept (the bench:flags hot path is then flagd-core's evaluation).
 */
export class FlagEngine {
  private readonly entries = new Map<string, Entry>();
  /** A hash of the document: equal documents give equal hashes on every host, whatever their key order. */
  readonly digest: string;
  /** The flag set's metadata as JSON, as the bulk evaluation reports it. */
  readonly metadataJson: string;
  private readonly setMetadata: Metadata;

  constructor(readonly snapshot: FlagSnapshot) {
    const core = new FlagdCore(undefined, QUIET);
    try {
      // Schema checks happen where a document is accepted (config load, each change); here the
      // engine only refuses what it cannot build (a default variant that is not a variant).
      core.setConfigurations(JSON.stringify(snapshot.document));
    } catch (error) {
      throw new FlagError(
        'FLAG_DEFINITION_INVALID',
        `the flag set is not a valid flagd definition: ${(error as Error).message}`,
        { cause: error },
      );
    }
    this.digest = createHash('sha256').update(canonicalJson(snapshot.document)).digest('hex').slice(0, 16);
    this.setMetadata = core.getFlagSetMetadata() as Metadata;
    this.metadataJson = JSON.stringify(this.setMetadata);
    const flags = snapshot.document.flags;
    for (const [key, flag] of core.getFlags()) {
      const entry: Entry = { key, flag, metadata: flag.metadata as Metadata, answers: new Map() };
      this.entries.set(key, entry);
      const targeting = Object.hasOwn(flags, key) ? flags[key]?.targeting : undefined;
      const probe = this.resolve(entry, {});
      // A targeting parse error is decided when flagd-core builds the flag, never by the context.
      if (
        flag.state === 'DISABLED' ||
        !targeting ||
        Object.keys(targeting).length === 0 ||
        isParseError(probe)
      )
        entry.fixed = probe;
    }
  }

  /** The flag keys of the set, in document order. */
  keys(): string[] {
    return [...this.entries.keys()];
  }

  /** Evaluates one flag for `context`, as `POST /ofrep/v1/evaluate/flags/{key}` answers. */
  evaluate(key: string, context: EvaluationContext): OfrepEvaluation {
    const { status, body } = this.answer(key, context);
    return { status, body } as OfrepEvaluation;
  }

  /** Evaluates every flag for `context`, as the bulk evaluation lists them. */
  evaluateAll(context: EvaluationContext): (OfrepSuccess | OfrepFailure)[] {
    return this.answerAll(context).map((a) => a.body);
  }

  /** The evaluation of one flag with its JSON, for answering over HTTP. */
  answer(key: string, context: EvaluationContext): OfrepAnswer {
    const entry = this.entries.get(key);
    if (!entry) {
      const body = { key, errorCode: 'FLAG_NOT_FOUND', errorDetails: `flag '${key}' was not found` };
      return { status: 404, body, json: JSON.stringify(body) };
    }
    return entry.fixed ?? this.resolve(entry, context);
  }

  /** Every flag's evaluation with its JSON, in document order. */
  answerAll(context: EvaluationContext): OfrepAnswer[] {
    const out: OfrepAnswer[] = [];
    for (const entry of this.entries.values()) out.push(entry.fixed ?? this.resolve(entry, context));
    return out;
  }

  /** The flag set's metadata, as the bulk evaluation reports it. */
  metadata(): Metadata {
    return this.setMetadata;
  }

  private resolve(entry: Entry, context: EvaluationContext): OfrepAnswer {
    const { key, metadata } = entry;
    if (entry.flag.state === 'DISABLED') return this.success(entry, 'DISABLED', undefined, undefined);
    const r = entry.flag.evaluate(context);
    if (r.reason === 'ERROR') {
      // Not kept: a rule can name any variant, so the messages are unbounded (and rare).
      const body = {
        key,
        errorCode: r.errorCode ?? 'GENERAL',
        errorDetails: r.errorMessage ?? 'evaluation failed',
        metadata,
      };
      return { status: 400, body, json: JSON.stringify(body) };
    }
    return this.success(entry, r.reason, r.variant, r.value as JsonValue | undefined);
  }

  private success(
    entry: Entry,
    reason: string,
    variant: string | undefined,
    value: JsonValue | undefined,
  ): OfrepAnswer {
    const withValue = value !== undefined && variant !== undefined;
    let byVariant = entry.answers.get(reason);
    if (!byVariant) {
      byVariant = new Map();
      entry.answers.set(reason, byVariant);
    }
    let answer = byVariant.get(withValue ? variant : undefined);
    if (!answer) {
      const { key, metadata } = entry;
      const body: OfrepSuccess = Object.freeze(
        withValue ? { key, value, reason, variant, metadata } : { key, reason, metadata },
      );
      answer = { status: 200, body, json: JSON.stringify(body) };
      byVariant.set(withValue ? variant : undefined, answer);
    }
    return answer;
  }
}

const isParseError = (answer: OfrepAnswer) =>
  answer.status !== 200 && (answer.body as OfrepFailure).errorCode === 'PARSE_ERROR';

// Keys sorted at every level: a document read back from PostgreSQL's jsonb (which reorders keys)
// hashes as the one written.
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
