/**
 * `slipway failover ENV --from REGION | --restore REGION`: tells the running edge of an environment
 * to take a region out of the traffic at once, or to start giving it its share back, and prints the
 * outcome: accepted (with the measured switch time of a `--from`), or rejected with its reason.
 */
import { edgeSocketPath, sendFailover } from '../../rollout/fleet/edge-client.js';
import { EdgeError } from '../../rollout/fleet/edge-errors.js';
import type { CommandContext } from '../context.js';
import { UsageError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { actorOf, projectDirOf } from '../project.js';
import { requireLocal } from '../remote/remote-context.js';

/** `us 40, eu 30, ap 30` */
export function formatWeights(weights: unknown): string {
  if (!weights || typeof weights !== 'object') return '';
  return Object.entries(weights as Record<string, number>)
    .map(([name, weight]) => `${name} ${weight}`)
    .join(', ');
}

/** Options of `slipway failover`. */
export interface FailoverOptions {
  readonly from?: string;
  readonly restore?: string;
}

/** Sends the command; exit 0 accepted, 1 rejected, 2 usage or no edge running. */
export async function failoverCommand(
  ctx: CommandContext,
  env: string,
  options: FailoverOptions,
): Promise<number> {
  requireLocal(ctx, '`slipway failover`');
  if ((options.from === undefined) === (options.restore === undefined))
    throw new UsageError('give exactly one of --from REGION and --restore REGION');
  const command =
    options.from !== undefined ? { from: options.from } : { restore: options.restore as string };
  const socket = edgeSocketPath(projectDirOf(ctx), env);
  let answer: Awaited<ReturnType<typeof sendFailover>>;
  try {
    answer = await sendFailover(socket, command, actorOf(ctx));
  } catch (error) {
    if (error instanceof EdgeError && error.code === 'no_edge')
      throw new UsageError(`no edge runs for ${env} (start one with: slipway edge ${env} --service S)`, {
        cause: error,
      });
    throw error;
  }
  const { output } = ctx;
  output.data(answer);
  const region = answer.command.region;
  const what =
    answer.command.kind === 'fail_over' ? `failover --from ${region}` : `failover --restore ${region}`;
  if (answer.status === 'rejected') {
    output.line(`${what} rejected (${answer.reason}): ${answer.message}`);
    return ExitCode.Failed;
  }
  if (answer.command.kind === 'restore') {
    output.line(`${what} accepted: ${region} starts getting its share back in steps (see slipway events)`);
  } else if (answer.switch !== undefined) {
    output.line(
      `${what} accepted: ${region}'s share moved to the other regions in ${answer.switch.switchMs} ms (weights ${formatWeights(answer.switch.weightsAfter)})`,
    );
  } else {
    output.line(`${what} accepted; the edge has not applied the switch yet (see slipway events)`);
  }
  return ExitCode.Ok;
}
