// Checks OFREP answers against the protocol's OpenAPI description (test/fixtures/ofrep/openapi.yaml):
// the response schema its paths give for the status, validated with ajv. The description as
// published refuses answers flagd sends; each such disagreement has a named, minimal fix, and an
// answer is checked against the description with every fix (it must pass) and without each one in
// turn (it fails exactly when that disagreement applies to it).
import { readFileSync } from 'node:fs';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { parse } from 'yaml';

/**
 * Where flagd's answers (and the published description) disagree with the description:
 * - `code-default-matches-any`: `codeDefaultFlag` is `{type: object, properties: {}}`, which every
 *   answer matches, so the value `oneOf` fails for each answer that has a value;
 * - `integer-is-also-float`: an integer value matches `integerFlag` and `floatFlag`, so the value
 *   `oneOf` fails for each integer answer;
 * - `reason-default-not-listed`: the reason enum (STATIC, TARGETING_MATCH, SPLIT, DISABLED, UNKNOWN)
 *   lacks DEFAULT, which flagd answers for a rule returning null and for the code default.
 */
export type OfrepDisagreement =
  | 'code-default-matches-any'
  | 'integer-is-also-float'
  | 'reason-default-not-listed';

export const OFREP_DISAGREEMENTS: readonly OfrepDisagreement[] = [
  'code-default-matches-any',
  'integer-is-also-float',
  'reason-default-not-listed',
];

/** An answer as it went over the wire. */
export interface OfrepExchange {
  readonly path: string;
  readonly status: number;
  readonly body: string;
}

/** The outcome of checking one answer. */
export interface OfrepCheck {
  /** The schema the description gives for this path and status (`none` for a 304). */
  readonly schema: string;
  /** What is wrong with the answer even with every disagreement fixed: must be empty. */
  readonly problems: readonly string[];
  /** The disagreements the answer runs into. */
  readonly disagreements: readonly OfrepDisagreement[];
}

const ID = 'https://openfeature.dev/ofrep/openapi.json';
const FILE = new URL('../fixtures/ofrep/openapi.yaml', import.meta.url);

interface Description {
  readonly paths: Record<
    string,
    { post: { responses: Record<string, { content?: Record<string, { schema: { $ref: string } }> }> } }
  >;
  readonly components: { schemas: Record<string, Record<string, unknown>> };
}

/** The description's validators: as published, with every fix, and with every fix but one. */
export class OfrepOpenApi {
  private readonly description: Description;
  private readonly instances = new Map<string, Ajv2020>();
  private readonly validators = new Map<string, ValidateFunction>();

  constructor() {
    this.description = parse(readFileSync(FILE, 'utf8')) as Description;
  }

  /** Checks one answer of `POST path`. */
  check(exchange: OfrepExchange): OfrepCheck {
    const template = /^\/ofrep\/v1\/evaluate\/flags\/?$/.test(exchange.path)
      ? '/ofrep/v1/evaluate/flags'
      : '/ofrep/v1/evaluate/flags/{key}';
    const response = this.description.paths[template]?.post.responses[String(exchange.status)];
    if (!response)
      return {
        schema: 'none',
        problems: [`status ${exchange.status} is not described for ${template}`],
        disagreements: [],
      };
    const ref = response.content?.['application/json']?.schema.$ref;
    if (!ref) {
      const problems =
        exchange.body === '' ? [] : [`status ${exchange.status} has no body in the description`];
      return { schema: 'none', problems, disagreements: [] };
    }
    let body: unknown;
    try {
      body = JSON.parse(exchange.body);
    } catch {
      return { schema: ref, problems: ['the body is not JSON'], disagreements: [] };
    }
    const all = new Set(OFREP_DISAGREEMENTS);
    const fixed = this.validator(ref, all);
    const problems = fixed(body) ? [] : (fixed.errors ?? []).map(describe);
    const disagreements = OFREP_DISAGREEMENTS.filter((d) => {
      const without = new Set(all);
      without.delete(d);
      return !this.validator(ref, without)(body);
    });
    if (problems.length === 0 && disagreements.length === 0 && !this.validator(ref, new Set())(body))
      problems.push('refused as published for a reason none of the known disagreements explains');
    return { schema: ref.replace('#/components/schemas/', ''), problems, disagreements };
  }

  private validator(ref: string, fixes: ReadonlySet<OfrepDisagreement>): ValidateFunction {
    const name = [...fixes].sort().join('+');
    const key = `${name}|${ref}`;
    let validate = this.validators.get(key);
    if (!validate) {
      let ajv = this.instances.get(name);
      if (!ajv) {
        ajv = new Ajv2020({
          allErrors: true,
          strict: false,
          formats: { float: true, 'date-time': true, uri: true },
        });
        ajv.addSchema({ $id: ID, components: withFixes(this.description.components, fixes) });
        this.instances.set(name, ajv);
      }
      validate = ajv.compile({ $ref: `${ID}${ref}` });
      this.validators.set(key, validate);
    }
    return validate;
  }
}

// The smallest change to the published schemas that removes each disagreement; the shapes patched
// are checked, so a new version of the description fails here instead of being silently misread.
function withFixes(components: Description['components'], fixes: ReadonlySet<OfrepDisagreement>) {
  const c = structuredClone(components);
  const s = c.schemas as Record<
    string,
    { allOf?: Record<string, unknown>[]; properties?: Record<string, unknown> }
  >;
  const success = s.evaluationSuccess?.allOf;
  const reason = (success?.[0]?.properties as { reason?: { enum?: string[] } } | undefined)?.reason;
  const oneOf = success?.[1]?.oneOf as { $ref: string }[] | undefined;
  if (
    !reason?.enum ||
    !oneOf?.some((b) => b.$ref === '#/components/schemas/codeDefaultFlag') ||
    !s.floatFlag?.properties
  )
    throw new Error('the OFREP description no longer has the shapes these checks patch');
  if (fixes.has('code-default-matches-any'))
    s.codeDefaultFlag = { ...s.codeDefaultFlag, not: { required: ['value'] } } as never;
  if (fixes.has('integer-is-also-float'))
    s.floatFlag.properties.value = { type: 'number', not: { type: 'integer' } };
  if (fixes.has('reason-default-not-listed')) reason.enum = [...reason.enum, 'DEFAULT'];
  return c;
}

function describe(e: ErrorObject): string {
  return `${e.instancePath || '(body)'} ${e.message ?? e.keyword} ${JSON.stringify(e.params)}`;
}
