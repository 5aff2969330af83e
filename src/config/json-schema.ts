/** The JSON Schema of slipway.yaml, generated from the zod schema so editors can complete and check the file. */
import { z } from 'zod';
import { configSchema } from './config-schema.js';

/** Builds the JSON Schema (draft 2020-12) of the config as users write it. */
export function configJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(configSchema, {
    io: 'input',
    unrepresentable: 'any',
    target: 'draft-2020-12',
  });
  return { ...schema, title: 'Slipway configuration' };
}
