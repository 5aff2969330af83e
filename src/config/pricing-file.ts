/**
 * The price catalogue (`pricing.yaml`): the user's own monthly prices by resource type and
 * attribute values, which the cost estimate of a Terraform plan reads. The first entry that
 * matches a resource wins, so a type's specific entries come before its catch-all.
 */
import { z } from 'zod';
import { type Diagnostic, sortDiagnostics } from './diagnostic.js';
import { parseCheckedYaml } from './policy-file.js';
import { pos } from './rule-diagnostics.js';

/** A value an attribute is compared with (as text: `2` matches `"2"`). */
export type PriceMatchValue = string | number | boolean;

const attributePath = z
  .string()
  .regex(/^[^.\s]+(\.[^.\s]+)*$/, { error: 'an attribute path is names joined by dots, e.g. `input.size`' });

const priceSchema = z
  .strictObject({
    type: z
      .string()
      .regex(/^[A-Za-z0-9_-]+$/, { error: 'a Terraform resource type, e.g. `aws_instance`' })
      .describe('The resource type the price is for, e.g. `aws_instance`.'),
    match: z
      .record(attributePath, z.union([z.string(), z.number(), z.boolean()]))
      .default({})
      .describe(
        'Attribute values the resource must have, by dotted path into its attributes (`instance_type`, `input.size`, `root_block_device.0.volume_size`); values compare as text (default: none, any resource of the type).',
      ),
    monthly: z
      .number()
      .min(0, { error: 'a monthly price is 0 or more' })
      .describe('The monthly price of one such resource, in `currency`.'),
  })
  .describe('One price: a resource type, the attribute values it applies to, and its monthly price.');

/** The schema of a price catalogue. */
export const pricingFileSchema = z
  .strictObject({
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/, { error: 'an ISO 4217 currency code, e.g. USD or EUR' })
      .default('USD')
      .describe('The currency of every price, an ISO 4217 code (default: `USD`).'),
    prices: z
      .array(priceSchema)
      .describe(
        'The prices; the first entry that matches a resource wins, so list the specific entries of a type before its catch-all.',
      ),
  })
  .describe('A price catalogue for cost estimates.');

/** A price catalogue as the cost estimate reads it. */
export type PriceCatalogue = z.output<typeof pricingFileSchema>;

/** One entry of a catalogue. */
export type PriceEntry = PriceCatalogue['prices'][number];

/** A price catalogue read: the catalogue when it has no error, and every problem found. */
export interface ParsedPricingFile {
  readonly value?: PriceCatalogue;
  readonly diagnostics: Diagnostic[];
}

/**
 * Parses a price catalogue's text; `file` is its path relative to slipway.yaml's directory, as
 * diagnostics name it. An entry that an earlier one always beats is a warning.
 */
export function parsePricingFile(text: string, file: string): ParsedPricingFile {
  const { source, data, diagnostics } = parseCheckedYaml(text, file, pricingFileSchema);
  if (data === undefined) return { diagnostics: sortDiagnostics(diagnostics) };
  data.prices.forEach((entry, i) => {
    const earlier = data.prices.findIndex((other, j) => j < i && covers(other, entry));
    if (earlier < 0) return;
    const at = source.valueAt(['prices', earlier]);
    diagnostics.push({
      severity: 'warning',
      path: ['prices', i],
      message: `never used: the entry at ${pos(at)} matches every resource this one does, and the first match wins`,
      ...source.valueAt(['prices', i]),
      file,
    });
  });
  const sorted = sortDiagnostics(diagnostics);
  return sorted.some((d) => d.severity === 'error')
    ? { diagnostics: sorted }
    : { value: data, diagnostics: sorted };
}

// True when every resource `later` matches is matched by `first` too: same type, and `first`
// asks for a subset of the same attribute values.
function covers(first: PriceEntry, later: PriceEntry): boolean {
  if (first.type !== later.type) return false;
  return Object.entries(first.match).every(
    ([path, value]) => path in later.match && String(later.match[path]) === String(value),
  );
}
