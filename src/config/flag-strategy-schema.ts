/**
 * The schema of `strategy.featureFlag`: the new code ships dark, then one flag's variant takes
 * growing shares of users, analysed at each stage, through Slipway's own flags (`flags:`) or the
 * user's LaunchDarkly, Split, or a command. The rules (flag-strategy-rules.ts) tie it to `flags:`.
 */
import { z } from 'zod';
import { metricsSchema } from './analysis-schema.js';
import { duration, percent } from './fields.js';

/** The flag services a `featureFlag` rollout can drive, Slipway's own first. */
export const FLAG_PROVIDERS = ['slipway', 'launchdarkly', 'split', 'custom'] as const;

/** The provider settings keys, one per outside provider. */
export const PROVIDER_SETTINGS = ['launchdarkly', 'split', 'custom'] as const;

// Variant names are strings, but YAML reads `true` or `1` unquoted as other scalars.
const variantName = z
  .union([z.string().min(1), z.boolean(), z.number()])
  .transform(String)
  .meta({ examples: ['on'] });

const secretName = (example: string) =>
  z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: `the name of a secret, such as ${example}` });

const httpUrl = z.url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' });

/** One stage of a flag rollout: the variant's share of users, held with the metrics analysed. */
export const flagStageSchema = z
  .strictObject({
    traffic: percent.describe("The rolled-out variant's share of the users taking part, e.g. `5` or `5%`."),
    duration: duration.prefault('5m').describe('How long the share is held, with the metrics analysed.'),
  })
  .describe("A stage: the variant's share of users, held for a duration.");

const launchDarklySchema = z
  .strictObject({
    project: z
      .string()
      .min(1)
      .default('default')
      .describe('Key of the LaunchDarkly project holding the flag.'),
    environment: z
      .string()
      .min(1)
      .default('production')
      .describe('Key of the LaunchDarkly environment whose targeting is changed.'),
    baseUrl: httpUrl
      .default('https://app.launchdarkly.com')
      .describe('Base URL of the LaunchDarkly API (another for a federal or relay instance).'),
    token: secretName('LD_API_TOKEN')
      .default('LD_API_TOKEN')
      .describe(
        'Name of the secret holding an API access token that may change the flag (read from the environment, else `.slipway/secrets.env`).',
      ),
  })
  .describe('With `provider: launchdarkly`: where the flag is and how to reach the API.');

const splitSchema = z
  .strictObject({
    workspace: z.string().min(1).describe('Id of the Split workspace holding the split.'),
    environment: z
      .string()
      .min(1)
      .describe('Id or name of the Split environment whose definition is changed.'),
    baseUrl: httpUrl.default('https://api.split.io').describe('Base URL of the Split Admin API.'),
    token: secretName('SPLIT_ADMIN_API_KEY')
      .default('SPLIT_ADMIN_API_KEY')
      .describe(
        'Name of the secret holding an Admin API key (read from the environment, else `.slipway/secrets.env`).',
      ),
  })
  .describe('With `provider: split`: where the split is and how to reach the Admin API.');

const customSchema = z
  .strictObject({
    command: z
      .string()
      .min(1)
      .describe(
        "Shell command that sets the variant's share of users in your flag service, run at each stage.",
      ),
    timeout: duration.prefault('30s').describe('A command that takes longer is stopped and the stage fails.'),
  })
  .describe('With `provider: custom`: the command that moves the share.');

/** Feature flag: a flag's variant rolled out to growing shares of users, analysed at each stage. */
export const featureFlagSchema = z
  .strictObject({
    provider: z
      .enum(FLAG_PROVIDERS)
      .default('slipway')
      .describe(
        'The flag service: `slipway` (the flags of `flags:`, served by each host over OFREP), `launchdarkly`, `split`, or `custom` (a command).',
      ),
    flag: z
      .string()
      .min(1)
      .describe(
        'Key of the flag rolled out: one declared under `flags:` with the `slipway` provider, else the key in the flag service.',
      ),
    variant: variantName.describe('The variant rolled out (LaunchDarkly: a variation; Split: a treatment).'),
    baseline: variantName
      .optional()
      .describe("The variant the other users get (default: the flag's default variant)."),
    stages: z
      .array(flagStageSchema)
      .min(1)
      .prefault([
        { traffic: 10, duration: '5m' },
        { traffic: 50, duration: '5m' },
      ])
      .describe(
        'Shares in order, each larger and held with analysis; after the last, the variant takes 100%.',
      ),
    metrics: metricsSchema.describe(
      'Metrics analysed while each share is held, the users of the variant against the others: `error_rate` (max 1%), `latency` (p99 max 500ms), `success_rate` (min 99%), or custom ones with a provider.',
    ),
    autoRollback: z
      .boolean()
      .default(true)
      .describe(
        'Move the share back to 0 when the analysis fails (`false`: hold the share for a human instead).',
      ),
    targeting: z
      .record(z.string(), z.unknown())
      .optional()
      .describe(
        'A JsonLogic rule over the evaluation context: only the users it matches take part, e.g. `{"in": [{"var": "country"}, ["NL", "BE"]]}` (default: every user).',
      ),
    gradualRollout: z
      .boolean()
      .default(true)
      .describe("`false`: one step straight to 100%, analysed for the last stage's duration."),
    launchdarkly: launchDarklySchema.optional(),
    split: splitSchema.optional(),
    custom: customSchema.optional(),
  })
  .describe(
    "Feature flag: the new revision replaces the old with a rolling update (no analysis), then the flag's variant takes growing shares of users, analysed at each stage.",
  );

/** `strategy.featureFlag` after parsing. */
export type FeatureFlagOutput = z.output<typeof featureFlagSchema>;
