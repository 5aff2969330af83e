/** How to start this Slipway again (the agent, a deploy from a pipeline): node and the bin script. */
import { join } from 'node:path';
import { packageRoot } from '../package/package-root.js';

/** The argv that starts this Slipway's agent; kept apart from platform.ts so `run` does not load the local platform. */
export function agentCommand(): string[] {
  return [process.execPath, join(packageRoot(), 'bin', 'slipway.js')];
}
