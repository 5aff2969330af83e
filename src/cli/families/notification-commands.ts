/** `notifications list`: the notification outbox, what reached Slack, email, GitHub and webhooks, and what did not. */
import type { RunCommand } from '../command-runner.js';
import type { Program } from '../program.js';

/** Declares `notifications` and its subcommands; their handlers load only when one of them runs. */
export function declareNotificationCommands(program: Program, run: RunCommand): void {
  const notifications = program
    .command('notifications')
    .description('the notification outbox: deliveries to Slack, email, GitHub and webhooks');
  notifications
    .command('list')
    .description(
      'list notification deliveries, newest first: channel, trigger, status, attempts, last error and times',
    )
    .option('--status <status>', 'only deliveries in this status: pending, sending, delivered or failed')
    .option('--limit <n>', 'how many deliveries at most', '50')
    .action((opts, command) =>
      run(command, async (ctx) =>
        (await import('../commands/notifications.js')).notificationsList(ctx, opts),
      ),
    );
}
