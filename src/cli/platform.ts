/** Wires the local platform for CLI commands: the project's state directory and how to start its agent. */
import { join } from 'node:path';
import { LocalPlatform } from '../platform/local/local-platform.js';
import { agentCommand } from './agent-command.js';
import type { CommandContext } from './context.js';

/** The `.slipway` folder of a project. */
export function stateDirOf(projectDir: string): string {
  return join(projectDir, '.slipway');
}

/** The local platform of a project, starting its agent on demand. */
export function localPlatform(ctx: CommandContext, projectDir: string): LocalPlatform {
  return new LocalPlatform({
    stateDir: stateDirOf(projectDir),
    agentCommand: agentCommand(),
    env: ctx.io.env,
  });
}
