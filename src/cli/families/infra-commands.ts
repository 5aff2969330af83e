/** `infra`: an environment's Terraform, Kubernetes and Helm by hand: plan, show, apply, drift. */
import type { RunCommand } from '../command-runner.js';
import type { Program } from '../program.js';

const handlers = () => import('../commands/infra.js');

/** Declares `infra plan|show|apply|drift`; handlers load only when one runs. */
export function declareInfraCommands(program: Program, run: RunCommand): void {
  const infra = program
    .command('infra')
    .description(
      "an environment's infrastructure: a saved plan checked by policy and cost, applied exactly as approved",
    );
  const wait = [
    '--wait <duration>',
    'wait this long for an environment another infrastructure operation holds',
  ] as const;
  const verbose = ['--verbose', "print Terraform's own output too (on stderr)"] as const;
  infra
    .command('plan')
    .argument('<env>', 'environment')
    .description(
      'plan the environment: Terraform plan saved, policies checked, cost estimated, manifests validated',
    )
    .option(...wait)
    .option(...verbose)
    .action((env, opts, command) =>
      run(command, async (ctx) => (await handlers()).infraPlan(ctx, env, opts)),
    );
  infra
    .command('show')
    .argument('<env>', 'environment')
    .description('a plan of the environment (its latest, or --plan) and what became of it')
    .option('--plan <id>', 'the plan id')
    .action((env, opts, command) =>
      run(command, async (ctx) => (await handlers()).infraShow(ctx, env, opts)),
    );
  infra
    .command('apply')
    .argument('<env>', 'environment')
    .description(
      'approve and apply exactly a saved plan (the latest, or --plan); a stale or changed plan is refused',
    )
    .option('--plan <id>', 'the plan id')
    .option(
      '--override <reason>',
      'apply a plan a policy denies, with a written reason (recorded in the audit trail)',
    )
    .option(...wait)
    .option(...verbose)
    .action((env, opts, command) =>
      run(command, async (ctx) => (await handlers()).infraApply(ctx, env, opts)),
    );
  infra
    .command('drift')
    .argument('<env>', 'environment')
    .description(
      'look for drift: a refresh-only plan, then a plan against the configuration; exits 1 on drift',
    )
    .option(...wait)
    .option(...verbose)
    .action((env, opts, command) =>
      run(command, async (ctx) => (await handlers()).infraDrift(ctx, env, opts)),
    );
}
