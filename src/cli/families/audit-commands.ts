/** `audit`: the evidence an auditor asks for, from the event log. */
import type { RunCommand } from '../command-runner.js';
import type { Program } from '../program.js';

/** Declares `audit export`; the handler loads only when it runs. */
export function declareAuditCommands(program: Program, run: RunCommand): void {
  const audit = program.command('audit').description('evidence for auditors, from the event log');
  audit
    .command('export')
    .description(
      'every deploy of a period: who deployed what, when, from which commit, approved by whom, with which checks passed',
    )
    .requiredOption('--since <date>', 'the first day (YYYY-MM-DD, UTC) or an ISO time')
    .option('--until <date>', 'the end (exclusive); default: now')
    .option('--format <format>', 'json (default) or csv')
    .option('--output <file>', 'write to this file instead of stdout')
    .action((opts, command) =>
      run(command, async (ctx) => (await import('../commands/audit.js')).auditExportCommand(ctx, opts)),
    );
}
