/**
 * `flags:` in slipway.yaml: the feature flags of the project in flagd's format, written inline
 * (the same keys as a flagd file) or kept in files of their own (`sources`), and where each host's
 * agent serves them over OFREP. The flag definitions are typed loosely here and checked against
 * flagd's published schema when they are loaded (load-flags.ts), positioned in their own file.
 */
import { z } from 'zod';

/** flagd's OFREP port. */
export const DEFAULT_OFREP_PORT = 8016;

const sourceGlob = z
  .string()
  .min(1)
  .refine((glob) => !glob.startsWith('/') && !/^[A-Za-z]:[\\/]/.test(glob), {
    error: "a source is relative to the config file's directory, not an absolute path",
  })
  .refine((glob) => !glob.split(/[\\/]/).includes('..'), {
    error: "a source stays inside the config file's directory: no '..'",
  })
  .meta({ examples: ['flags/*.json', 'flags/**/*.yaml'] });

const ofrepSchema = z
  .strictObject({
    host: z
      .string()
      .min(1)
      .default('127.0.0.1')
      .describe('Address the OFREP listener binds on each host (`0.0.0.0` to serve other machines).'),
    port: z
      .int()
      .min(0)
      .max(65535)
      .default(DEFAULT_OFREP_PORT)
      .describe("Port of the OFREP listener (8016 is flagd's; 0: any free port)."),
  })
  .describe(
    "Where each host's agent serves the flags over OFREP (the OpenFeature Remote Evaluation Protocol).",
  );

/** The `flags:` section. */
export const flagsSchema = z
  .strictObject({
    sources: z
      .array(sourceGlob)
      .default([])
      .describe(
        "Files of flag definitions: globs relative to the config file's directory, each matching at least one JSON or YAML file that holds a flagd flag document (`flags`, `$evaluators`, `metadata`; a `$schema` key is ignored).",
      ),
    ofrep: ofrepSchema.prefault({}),
    flags: z
      .record(z.string().min(1), z.unknown())
      .default({})
      .describe(
        "Flags by key, each a flagd flag definition (`state`, `variants`, `defaultVariant`, `targeting`, `metadata`), checked against flagd's schema; a key may be declared once, here or in one source.",
      ),
    $evaluators: z
      .record(z.string().min(1), z.unknown())
      .default({})
      .describe(
        'Shared JsonLogic rules by name, used in targeting as `{"$ref": "name"}`; merged with those of the sources.',
      ),
    metadata: z
      .record(z.string().min(1), z.unknown())
      .default({})
      .describe('Metadata of the flag set (e.g. `flagSetId`, `version`): strings, numbers or booleans.'),
  })
  .describe(
    "Feature flags in flagd's format (https://flagd.dev/reference/flag-definitions/), inline or in `sources`, served over OFREP by each host's agent.",
  );

/** `flags:` after parsing. */
export type FlagsOutput = z.output<typeof flagsSchema>;
