/**
 * The monthly cost estimate of a Terraform plan, from the user's own price catalogue: what each
 * changed resource costs before and after, the plan's monthly delta, and the resources the
 * catalogue has no price for. Pure: a plan and a catalogue in, plain data out.
 */
import type { PriceCatalogue, PriceEntry } from '../../config/pricing-file.js';
import type { ChangeAction, ResourceChange } from '../terraform/resource-change.js';

/** What one resource costs per month before and after the plan (null: it does not exist then, or has no price). */
export interface CostItem {
  readonly address: string;
  readonly type: string;
  readonly action: ChangeAction;
  readonly before: number | null;
  readonly after: number | null;
  /** after - before; 0 for a resource without a price. */
  readonly delta: number;
}

/** A resource the catalogue has no price for, on a side of the change where it exists. */
export interface UnpricedResource {
  readonly address: string;
  readonly type: string;
}

/** The cost estimate of a plan; money rounded to cents. */
export interface CostEstimate {
  readonly currency: string;
  /** The monthly cost of the plan's resources as they are (the priced ones). */
  readonly monthlyBefore: number;
  /** The monthly cost of the plan's resources once it is applied (the priced ones). */
  readonly monthlyAfter: number;
  /** monthlyAfter - monthlyBefore. */
  readonly monthlyDelta: number;
  readonly items: readonly CostItem[];
  readonly unpriced: readonly UnpricedResource[];
}

/**
 * Prices every resource change of a plan: a create costs its `after` price, a delete saves its
 * `before` price, an update or replace costs the difference; a `no-op` resource is listed at the
 * same price on both sides (delta 0) so the totals are those of every resource in the plan; a
 * `read` (a data source) costs nothing and is left out. A resource with no matching entry on a
 * side where it exists goes to `unpriced` and counts 0 in the totals and the delta.
 */
export function estimateCost(changes: readonly ResourceChange[], catalogue: PriceCatalogue): CostEstimate {
  const byType = new Map<string, Price[]>();
  for (const entry of catalogue.prices) {
    const price = compilePrice(entry);
    const list = byType.get(entry.type);
    if (list) list.push(price);
    else byType.set(entry.type, [price]);
  }
  const items: CostItem[] = [];
  const unpriced: UnpricedResource[] = [];
  let beforeCents = 0;
  let afterCents = 0;
  for (const change of changes) {
    if (change.action === 'read') continue;
    const prices = byType.get(change.type) ?? [];
    const exists = sides(change.action);
    const before = exists.before ? centsOf(prices, change.before) : null;
    const after = exists.after ? centsOf(prices, change.after) : null;
    const priced = (!exists.before || before !== null) && (!exists.after || after !== null);
    if (!priced) unpriced.push({ address: change.address, type: change.type });
    const b = priced ? (before ?? 0) : 0;
    const a = priced ? (after ?? 0) : 0;
    beforeCents += b;
    afterCents += a;
    items.push({
      address: change.address,
      type: change.type,
      action: change.action,
      before: before === null ? null : before / 100,
      after: after === null ? null : after / 100,
      delta: (a - b) / 100,
    });
  }
  return {
    currency: catalogue.currency,
    monthlyBefore: beforeCents / 100,
    monthlyAfter: afterCents / 100,
    monthlyDelta: (afterCents - beforeCents) / 100,
    items,
    unpriced,
  };
}

// A catalogue entry ready to test: each path split once, each value as text, the price in whole
// cents so sums stay exact.
interface Price {
  readonly conditions: readonly { readonly path: readonly string[]; readonly value: string }[];
  readonly cents: number;
}

function compilePrice(entry: PriceEntry): Price {
  return {
    conditions: Object.entries(entry.match).map(([path, value]) => ({
      path: path.split('.'),
      value: String(value),
    })),
    cents: Math.round(entry.monthly * 100),
  };
}

// The price of the first entry whose values the attributes all have (compared as text), or null.
function centsOf(
  prices: readonly Price[],
  attributes: Readonly<Record<string, unknown>> | null,
): number | null {
  for (const price of prices) {
    if (price.conditions.every(({ path, value }) => textAt(attributes, path) === value)) return price.cents;
  }
  return null;
}

// Which sides of a change the resource exists on.
function sides(action: ChangeAction): { before: boolean; after: boolean } {
  switch (action) {
    case 'create':
      return { before: false, after: true };
    case 'delete':
      return { before: true, after: false };
    default:
      return { before: true, after: true };
  }
}

// The scalar at a dotted path as text (undefined for a map, a list or nothing); a number steps
// into a list (`root_block_device.0.volume_size`).
function textAt(
  attributes: Readonly<Record<string, unknown>> | null,
  path: readonly string[],
): string | undefined {
  let current: unknown = attributes;
  for (const key of path) {
    if (Array.isArray(current)) current = /^\d+$/.test(key) ? current[Number(key)] : undefined;
    else if (current !== null && typeof current === 'object' && Object.hasOwn(current, key))
      current = (current as Record<string, unknown>)[key];
    else return undefined;
  }
  return typeof current === 'string' || typeof current === 'number' || typeof current === 'boolean'
    ? String(current)
    : undefined;
}
