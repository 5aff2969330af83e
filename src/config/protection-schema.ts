/**
 * The schema of an environment's `protection:`: the pipeline policies its deploy gate enforces
 * (stages that must have passed, distinct approvers, allowed branches, signed commits), close to
 * GitHub's environment protection rules.
 */
import { z } from 'zod';
import type { ResolvedProtection } from './resolved.js';

const approversSchema = z
  .strictObject({
    required: z
      .int()
      .min(1)
      .default(1)
      .describe('Distinct approvers the gate needs before it opens; 2 is "four eyes" (default: 1).'),
    excludeStarter: z
      .boolean()
      .default(false)
      .describe("Refuse an approval by the run's starter (the actor that started the run) (default: false)."),
  })
  .describe('Who must approve the manual gate (default: one approval by anyone allowed to approve).');

const signedCommitsSchema = z
  .strictObject({
    allowedSigners: z
      .string()
      .min(1)
      .describe(
        "SSH allowed-signers file (ssh-keygen's ALLOWED SIGNERS format) that SSH signatures must match, relative to slipway.yaml's directory.",
      ),
    gpgKeyring: z
      .string()
      .min(1)
      .optional()
      .describe(
        "File of the public GPG keys (`gpg --export`) that GPG signatures must match, relative to slipway.yaml's directory (default: the runner's own GPG keyring).",
      ),
  })
  .describe(
    'Deploy only commits whose signature `git verify-commit` accepts (default: signatures not checked).',
  );

/** `environments.<name>.protection`: the rules the environment's deploy gate enforces. */
export const protectionSchema = z
  .strictObject({
    requiredStages: z
      .array(z.string().min(1))
      .default([])
      .describe(
        'Pipeline stages that must have passed on the same commit, in this run or an earlier one, before the environment deploys (default: none).',
      ),
    approvers: approversSchema.optional(),
    branches: z
      .array(z.string().min(1))
      .min(1)
      .optional()
      .describe(
        'Branches the environment deploys from, as globs (`main`, `release/*`; `*` stays within one `/` segment, `**` crosses them) (default: any branch).',
      ),
    signedCommits: signedCommitsSchema.optional(),
  })
  .describe(
    'Pipeline policies checked at the deploy gate of this environment; a violation fails the environment, naming the rule (default: none).',
  );

export type ProtectionOutput = z.output<typeof protectionSchema>;

/** Resolves `protection:` as parsed by the schema; absent parts stay absent. */
export function resolveProtection(input: ProtectionOutput): ResolvedProtection {
  return {
    requiredStages: [...new Set(input.requiredStages)],
    ...(input.approvers ? { approvers: { ...input.approvers } } : {}),
    ...(input.branches ? { branches: input.branches } : {}),
    ...(input.signedCommits
      ? {
          signedCommits: {
            allowedSigners: input.signedCommits.allowedSigners,
            ...(input.signedCommits.gpgKeyring !== undefined
              ? { gpgKeyring: input.signedCommits.gpgKeyring }
              : {}),
          },
        }
      : {}),
  };
}
