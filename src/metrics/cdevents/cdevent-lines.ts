// Reads a CDEvents file, one JSON event per line: each non-blank line parses, names a CDEvents type
// Slipway maps, and passes that type's v0.4.1 schema, or is reported by its line number.
import { schemaErrors } from './cdevent-schemas.js';
import { CDEVENT_KINDS, type CdeventKind, kindOfType } from './cdevent-types.js';

/** A line that passed its schema: the fields every CDEvent has, typed loosely past them. */
export interface CdeventLine {
  /** 1-based line number in the file. */
  readonly line: number;
  readonly kind: CdeventKind;
  /** `context.timestamp` in epoch ms. */
  readonly time: number;
  readonly context: { readonly id: string; readonly source: string; readonly timestamp: string };
  readonly subject: { readonly id: string; readonly content: Readonly<Record<string, unknown>> };
  /** `customData.slipway` when the event has it as an object. */
  readonly slipway: Readonly<Record<string, unknown>> | undefined;
}

/** A line that cannot be imported, and why. */
export interface LineError {
  readonly line: number;
  readonly message: string;
}

/** True for a JSON object (not an array, not null). */
export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const TYPE_PREFIX = /^dev\.cdevents\.([a-z]+)\.([a-z]+)\./;

/** The kind `type` names: by subject and predicate, so a wrong version is a schema error that says which it must be. */
function kindNamed(type: unknown): CdeventKind | undefined {
  if (typeof type !== 'string') return undefined;
  const exact = kindOfType(type);
  if (exact) return exact;
  const [, subject, predicate] = TYPE_PREFIX.exec(type) ?? [];
  return CDEVENT_KINDS.find((k) => k.type.startsWith(`dev.cdevents.${subject}.${predicate}.`));
}

function readLine(text: string, line: number): CdeventLine | LineError {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { line, message: `not JSON: ${(error as Error).message}` };
  }
  if (!isRecord(value)) return { line, message: 'not a JSON object' };
  const type = isRecord(value.context) ? value.context.type : undefined;
  const kind = kindNamed(type);
  if (!kind)
    return {
      line,
      message:
        type === undefined
          ? 'no context.type: not a CDEvent'
          : `unsupported CDEvents type ${JSON.stringify(type)} (Slipway imports ${CDEVENT_KINDS.map((k) => k.type).join(', ')})`,
    };
  const problems = schemaErrors(kind, value);
  if (problems.length > 0) return { line, message: `not a valid ${kind.type}: ${problems.join('; ')}` };
  const event = value as unknown as Omit<CdeventLine, 'line' | 'kind' | 'time' | 'slipway'> & {
    customData?: unknown;
  };
  const time = Date.parse(event.context.timestamp);
  if (!Number.isSafeInteger(time) || time < 0)
    return { line, message: `context.timestamp ${event.context.timestamp} is not a time Slipway can store` };
  const custom = event.customData;
  return {
    line,
    kind,
    time,
    context: event.context,
    subject: event.subject,
    slipway: isRecord(custom) && isRecord(custom.slipway) ? custom.slipway : undefined,
  };
}

/** Every non-blank line of `text` read: the events in file order, and the lines that are bad. */
export function readCdeventLines(text: string): { events: CdeventLine[]; errors: LineError[] } {
  const events: CdeventLine[] = [];
  const errors: LineError[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.replace(/\r$/, '');
    if (raw.trim() === '') continue;
    const read = readLine(raw, i + 1);
    if ('message' in read) errors.push(read);
    else events.push(read);
  }
  return { events, errors };
}
