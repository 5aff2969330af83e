/** The environment Terraform runs in under Slipway: automation mode, no prompts, and a CLI config it can read. */
import { existsSync } from 'node:fs';

/**
 * `base` plus TF_IN_AUTOMATION and TF_INPUT=0. A TF_CLI_CONFIG_FILE naming a file that does not
 * exist makes Terraform print a warning box on every command while reading no settings; it is
 * pointed at /dev/null instead, which reads the same (no settings) without the warning.
 */
export function terraformEnv(base: NodeJS.ProcessEnv): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(base)) if (value !== undefined) env[name] = value;
  env.TF_IN_AUTOMATION = '1';
  env.TF_INPUT = '0';
  const config = env.TF_CLI_CONFIG_FILE;
  if (config !== undefined && config !== '' && !existsSync(config)) env.TF_CLI_CONFIG_FILE = '/dev/null';
  return env;
}
