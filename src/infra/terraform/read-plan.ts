/**
 * Reads `terraform show -json` of a saved plan into what Slipway keeps: each resource change by
 * address and action with its changed attributes, and the drift Terraform found while refreshing;
 * sensitive values masked, unknown values marked. Nothing else of the JSON is kept (it holds
 * sensitive variables in clear).
 */
import { InfraError } from '../errors.js';
import { type ChangeAction, KNOWN_AFTER_APPLY, type ResourceChange, SENSITIVE } from './resource-change.js';

/** What a saved plan holds, as Slipway keeps it. */
export interface ReadPlan {
  readonly terraformVersion: string;
  /** Every resource change, no-ops included, in Terraform's order. */
  readonly changes: readonly ResourceChange[];
  /** Changes made outside Terraform, found by the refresh (drift). */
  readonly drift: readonly ResourceChange[];
  /** False when the plan cannot be applied (Terraform's `applyable`, absent before 1.8: true). */
  readonly applyable: boolean;
}

interface RawChange {
  address?: unknown;
  module_address?: unknown;
  type?: unknown;
  name?: unknown;
  change?: {
    actions?: unknown;
    before?: unknown;
    after?: unknown;
    after_unknown?: unknown;
    before_sensitive?: unknown;
    after_sensitive?: unknown;
  };
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The action of Terraform's `actions` list. */
export function actionOf(actions: readonly string[]): ChangeAction {
  if (actions.length === 2 && actions.includes('delete') && actions.includes('create')) return 'replace';
  const [only] = actions;
  if (
    actions.length === 1 &&
    (only === 'create' || only === 'update' || only === 'delete' || only === 'read')
  )
    return only;
  if (actions.length === 1 && only === 'no-op') return 'no-op';
  throw new InfraError('INFRA_PLAN_JSON_INVALID', `unknown Terraform actions ${JSON.stringify(actions)}`);
}

/** `value` with every part `sensitive` marks replaced by SENSITIVE and every part `unknown` marks by KNOWN_AFTER_APPLY. */
export function mask(value: unknown, sensitive: unknown, unknown: unknown = false): unknown {
  if (sensitive === true) return SENSITIVE;
  if (unknown === true) return KNOWN_AFTER_APPLY;
  if (Array.isArray(value) || Array.isArray(unknown)) {
    const list = Array.isArray(value) ? value : [];
    const length = Math.max(list.length, Array.isArray(unknown) ? unknown.length : 0);
    return Array.from({ length }, (_, i) =>
      mask(
        list[i] ?? null,
        Array.isArray(sensitive) ? sensitive[i] : false,
        Array.isArray(unknown) ? unknown[i] : false,
      ),
    );
  }
  if (isObject(value) || isObject(unknown)) {
    const object = isObject(value) ? value : {};
    const keys = new Set([
      ...Object.keys(object),
      ...(isObject(unknown) ? Object.keys(unknown).filter((k) => unknown[k] === true) : []),
    ]);
    const out: Record<string, unknown> = {};
    for (const key of [...keys].sort())
      out[key] = mask(
        object[key] ?? null,
        isObject(sensitive) ? sensitive[key] : false,
        isObject(unknown) ? unknown[key] : false,
      );
    return out;
  }
  return value;
}

// Top-level attributes whose values differ, compared on the raw values (so a changed secret counts, unseen).
function changedAttributes(before: unknown, after: unknown, unknown: unknown): string[] {
  if (!isObject(before) || !isObject(after)) return [];
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  const out: string[] = [];
  for (const key of keys) {
    const isUnknown = isObject(unknown) && unknown[key] !== undefined && unknown[key] !== false;
    if (isUnknown || JSON.stringify(before[key] ?? null) !== JSON.stringify(after[key] ?? null))
      out.push(key);
  }
  return out.sort();
}

function readChange(raw: RawChange, where: string): ResourceChange {
  const change = raw.change;
  if (
    typeof raw.address !== 'string' ||
    typeof raw.type !== 'string' ||
    typeof raw.name !== 'string' ||
    !change
  )
    throw new InfraError(
      'INFRA_PLAN_JSON_INVALID',
      `${where}: a change without address, type, name or change`,
    );
  if (!Array.isArray(change.actions) || !change.actions.every((a) => typeof a === 'string'))
    throw new InfraError('INFRA_PLAN_JSON_INVALID', `${where} ${raw.address}: no actions`);
  const action = actionOf(change.actions as string[]);
  const before = isObject(change.before)
    ? (mask(change.before, change.before_sensitive) as Record<string, unknown>)
    : null;
  const after =
    isObject(change.after) || isObject(change.after_unknown)
      ? (mask(change.after ?? {}, change.after_sensitive, change.after_unknown) as Record<string, unknown>)
      : null;
  return {
    address: raw.address,
    type: raw.type,
    name: raw.name,
    ...(typeof raw.module_address === 'string' ? { module: raw.module_address } : {}),
    action,
    changed:
      action === 'update' || action === 'replace'
        ? changedAttributes(change.before, change.after, change.after_unknown)
        : [],
    before: action === 'create' ? null : before,
    after: action === 'delete' ? null : after,
  };
}

/** Parses the text of `terraform show -json PLANFILE`. */
export function readPlanJson(text: string): ReadPlan {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new InfraError(
      'INFRA_PLAN_JSON_INVALID',
      `terraform show -json printed no JSON: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  if (!isObject(json) || typeof json.format_version !== 'string')
    throw new InfraError(
      'INFRA_PLAN_JSON_INVALID',
      'terraform show -json printed no plan (no format_version)',
    );
  const list = (key: string): RawChange[] => {
    const value = json[key];
    if (value === undefined) return [];
    if (!Array.isArray(value)) throw new InfraError('INFRA_PLAN_JSON_INVALID', `${key} is not a list`);
    return value as RawChange[];
  };
  return {
    terraformVersion: typeof json.terraform_version === 'string' ? json.terraform_version : 'unknown',
    changes: list('resource_changes').map((c) => readChange(c, 'resource_changes')),
    drift: list('resource_drift').map((c) => readChange(c, 'resource_drift')),
    applyable: json.applyable !== false,
  };
}
