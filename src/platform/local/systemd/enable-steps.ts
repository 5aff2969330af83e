/**
 * The commands that put written units to work, in order: printed by `slipway agent install`, which
 * never runs systemctl itself (it may lack the rights, and the moment to switch is the user's).
 */
import { join } from 'node:path';
import type { AgentUnits, UnitScope } from './agent-units.js';

/** Where the units were written and where systemd looks for them. */
export interface EnableStepsInput {
  readonly scope: UnitScope;
  readonly units: AgentUnits;
  /** The folder the files were written to. */
  readonly dir: string;
  /** The folder systemd loads units of this scope from. */
  readonly unitDir: string;
  /** Units of the project that an earlier install wrote and this one no longer does. */
  readonly stale: readonly string[];
  /** User units: the account whose units must start at boot rather than at its first login. */
  readonly user?: string;
}

/** Quotes a word for a POSIX shell. */
export function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/** The shell commands, one per line, that enable the units now and at every boot. */
export function enableSteps(input: EnableStepsInput): readonly string[] {
  const systemctl = input.scope === 'user' ? 'systemctl --user' : 'systemctl';
  const names = [...input.units.sockets.map((s) => s.unit), input.units.service.unit];
  const steps: string[] = [];
  if (input.dir !== input.unitDir)
    steps.push(
      `cp ${names.map((n) => shellWord(join(input.dir, n))).join(' ')} ${shellWord(input.unitDir)}/`,
    );
  // An agent the CLI started holds the ports the sockets bind; its instances are adopted, not restarted.
  steps.push('slipway agent stop --keep-instances');
  for (const unit of input.stale) {
    steps.push(`${systemctl} disable --now ${shellWord(unit)}`);
    steps.push(`rm ${shellWord(join(input.unitDir, unit))}`);
  }
  steps.push(`${systemctl} daemon-reload`);
  steps.push(`${systemctl} enable --now ${names.map(shellWord).join(' ')}`);
  if (input.scope === 'user' && input.user) steps.push(`loginctl enable-linger ${shellWord(input.user)}`);
  return steps;
}
