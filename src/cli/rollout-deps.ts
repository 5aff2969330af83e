/** Wires the rollout controller for CLI commands: store, local platform, reporter and owner id. */
import { secretReader } from '../pipeline/secrets/secret-reader.js';
import type { ControllerDeps, RolloutEvent } from '../rollout/controller/controller-types.js';
import { controllerId } from '../rollout/controller/rollout-controller.js';
import { systemClock } from '../rollout/rollout-clock.js';
import type { Store } from '../store/store.js';
import type { CommandContext } from './context.js';
import { localPlatform } from './platform.js';
import { snapshotBeforeDeploy } from './snapshot-deploy.js';

/** Controller dependencies for a command, printing events as lines (or NDJSON with --json). */
export function rolloutDeps(ctx: CommandContext, projectDir: string, store: Store): ControllerDeps {
  const env = Object.fromEntries(
    Object.entries(ctx.io.env).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
  const secret = secretReader(env, projectDir);
  return {
    store,
    platform: localPlatform(ctx, projectDir),
    clock: systemClock(),
    report: (event) => report(ctx, event),
    owner: controllerId(),
    env,
    secret,
    beforeRollout: (deploy) =>
      snapshotBeforeDeploy(ctx, { store, projectDir, secret }, deploy).then(() => undefined),
  };
}

function report(ctx: CommandContext, event: RolloutEvent): void {
  const { output } = ctx;
  if (output.json) {
    output.data({ ...event, time: new Date().toISOString() });
    return;
  }
  const weights = (w: Readonly<Record<string, number>>) =>
    Object.entries(w)
      .map(([id, n]) => `${id}=${n}%`)
      .join(' ');
  switch (event.type) {
    case 'rollout.step': {
      const instances = Object.entries(event.instances)
        .map(([id, n]) => `${id}x${n}`)
        .join(' ');
      output.line(
        `step ${event.step + 1}: ${event.action.padEnd(14)} traffic ${weights(event.weights)}  instances ${instances}`,
      );
      break;
    }
    case 'analysis.measurement':
    case 'flagrollout.measurement': {
      const mark =
        event.verdict === 'success'
          ? output.paint('green', 'ok')
          : output.paint(event.verdict === 'failure' ? 'red' : 'yellow', event.verdict);
      output.line(`  analysis ${mark}: ${event.message}`);
      break;
    }
    case 'rollout.paused':
      output.line(output.paint('yellow', `paused: ${event.reason}`));
      break;
    case 'rollout.resumed':
      output.line(`resumed at step ${event.step + 1}`);
      break;
    case 'rollout.rollback':
      output.line(
        output.paint('red', `rolling back: ${event.reason} (traffic restored in ${event.restoreMs} ms)`),
      );
      break;
    case 'flagrollout.step':
      output.line(`flag ${event.flag} step ${event.step + 1}: ${event.percent}% of users`);
      break;
    case 'flagrollout.rollback':
      output.line(
        output.paint(
          'red',
          `rolling back flag ${event.flag}: ${event.reason} (share at 0% in ${event.restoreMs} ms)`,
        ),
      );
      break;
    case 'flagrollout.finished':
      output.line(
        output.paint(
          event.status === 'completed' ? 'green' : 'red',
          `flag rollout ${event.status.replace('_', ' ')}${event.reason ? `: ${event.reason}` : ''} (${event.flag})`,
        ),
      );
      break;
    case 'migration.ran':
      output.line(
        event.status === 'succeeded'
          ? `  ${event.phase} ${output.paint('green', 'ok')}: \`${event.command}\` ${event.result}`
          : output.paint('red', `  ${event.phase} FAILED: \`${event.command}\` ${event.result}`),
      );
      break;
    case 'rollout.finished': {
      if (event.warning) {
        output.line(output.paint('red', `rollout completed WITH A FAILED CONTRACT (${event.revision})`));
        output.line(output.paint('red', event.warning));
        break;
      }
      const color = event.status === 'completed' ? 'green' : 'red';
      output.line(
        output.paint(
          color,
          `rollout ${event.status}${event.reason ? `: ${event.reason}` : ''} (${event.revision})`,
        ),
      );
      break;
    }
  }
}
