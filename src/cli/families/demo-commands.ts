/** `demo`: the example project's pipeline and deploys, end to end on this machine. */
import type { RunCommand } from '../command-runner.js';
import type { Program } from '../program.js';

/** Declares `demo`; its code (the whole local engine) loads only when it runs. */
export function declareDemoCommands(program: Program, run: RunCommand): void {
  program
    .command('demo')
    .description("run the example project's pipeline end to end")
    .action((_opts, command) =>
      run(command, async (ctx) => (await import('../commands/demo.js')).demoCommand(ctx)),
    );
}
