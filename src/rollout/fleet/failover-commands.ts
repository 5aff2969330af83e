/**
 * The operator's commands on a plan in the making: `failover --from REGION` takes a region out
 * at once (its share to the others; it never comes back on its own), `failover --restore REGION`
 * starts its gradual return. A command is refused, with a reason, rather than leave no region to
 * route to.
 */
import type { CommandResult, FailoverCommand } from './failover-types.js';
import { canTakeOver, type EventDraft, failOver, type PhaseBoard, startRestore } from './region-phases.js';

/** The result of one command, and the event it makes when accepted. */
export interface CommandOutcome {
  readonly result: CommandResult;
  readonly draft?: EventDraft;
}

function rejected(
  command: FailoverCommand,
  reason: Extract<CommandResult, { status: 'rejected' }>['reason'],
  message: string,
): CommandOutcome {
  return { result: { status: 'rejected', command, reason, message } };
}

/** Applies `command` to `board` at `at` (the observation that carries it out). */
export function applyCommand(board: PhaseBoard, command: FailoverCommand, at: number): CommandOutcome {
  const { region } = command;
  const phase = board.phases[region];
  if (phase === undefined || !Object.hasOwn(board.shares, region)) {
    return rejected(command, 'unknown_region', `no region ${JSON.stringify(region)} in this fleet`);
  }
  if (command.kind === 'fail_over') {
    if (phase.status === 'failed_over' && phase.mode === 'manual') {
      return rejected(command, 'already_failed_over', `region ${region} is already failed over by hand`);
    }
    if (phase.status !== 'failed_over' && !canTakeOver(board, region, false)) {
      return rejected(
        command,
        'nowhere_to_go',
        `no other region in service could take the traffic of ${region}; it stays in service`,
      );
    }
    const draft = failOver(board, region, 'manual', command.at, at);
    return { result: { status: 'accepted', command }, draft };
  }
  if (phase.status !== 'failed_over') {
    return rejected(
      command,
      'not_failed_over',
      `region ${region} is not failed over (it is ${phase.status})`,
    );
  }
  const draft = startRestore(board, region, phase.mode, command.at, at);
  return { result: { status: 'accepted', command }, draft };
}
