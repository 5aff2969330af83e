// Checks a CDEvent against the vendored CDEvents v0.4.1 JSON schema of its type (schema/cdevents/,
// shipped with the package), with ajv's draft 2020-12 build. The validators compile once, on first use.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { packageRoot } from '../../package/package-root.js';
import { CDEVENT_KINDS, type CdeventKind } from './cdevent-types.js';

// ajv-formats is CommonJS with a default export; under NodeNext its type is the module namespace.
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

let validators: Map<string, ValidateFunction> | undefined;

/** The folder of the vendored schemas. */
function cdeventSchemaDir(): string {
  return join(packageRoot(), 'schema', 'cdevents');
}

function compileValidators(): Map<string, ValidateFunction> {
  const dir = cdeventSchemaDir();
  const read = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as { $id: string };
  const ajv = new Ajv2020({ allErrors: true });
  addFormats(ajv);
  // The event schemas `$ref` the links schemas by their `$id`s.
  for (const name of readdirSync(join(dir, 'links')).filter((n) => n.endsWith('.json')))
    ajv.addSchema(read(join(dir, 'links', name)));
  return new Map(CDEVENT_KINDS.map((k) => [k.type, ajv.compile(read(join(dir, k.schema)))]));
}

function describeError(e: ErrorObject): string {
  const where = e.instancePath === '' ? 'the event' : e.instancePath;
  if (e.keyword === 'additionalProperties')
    return `${where} has an unknown property '${(e.params as { additionalProperty: string }).additionalProperty}'`;
  if (e.keyword === 'enum')
    return `${where} must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
  return `${where} ${e.message ?? 'is invalid'}`;
}

/** The schema's complaints about `event` as a `kind` (at most three), or none when it is valid. */
export function schemaErrors(kind: CdeventKind, event: unknown): string[] {
  validators ??= compileValidators();
  const validate = validators.get(kind.type);
  if (!validate) throw new Error(`no schema compiled for ${kind.type}`);
  if (validate(event)) return [];
  return [...new Set((validate.errors ?? []).map(describeError))].slice(0, 3);
}
