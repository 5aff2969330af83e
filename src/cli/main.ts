/**
 * The CLI entry: assembles the command families and is the boundary where every error becomes a
 * message and an exit code. User mistakes never print a stack trace; internal errors say they are bugs.
 */
import type { CommandUnknownOpts } from '@commander-js/extra-typings';
import { commandRunner, type RunCommand } from './command-runner.js';
import type { CliIo } from './context.js';
import { reportError } from './error-boundary.js';
import { ExitCode } from './exit-codes.js';
import { declareAgentCommands } from './families/agent-commands.js';
import { declareAuditCommands } from './families/audit-commands.js';
import { declareConfigCommands } from './families/config-commands.js';
import { declareDemoCommands } from './families/demo-commands.js';
import { declareEdgeCommands } from './families/edge-commands.js';
import { declareFlagsCommands } from './families/flags-commands.js';
import { declareGitOpsCommands } from './families/gitops-commands.js';
import { declareHostCommands } from './families/host-commands.js';
import { declareInfraCommands } from './families/infra-commands.js';
import { declareMetricsCommands } from './families/metrics-commands.js';
import { declareNotificationCommands } from './families/notification-commands.js';
import { declarePipelineCommands } from './families/pipeline-commands.js';
import { declareReleaseCommands } from './families/release-commands.js';
import { declareRolloutCommands } from './families/rollout-commands.js';
import { declareScanCommands } from './families/scan-commands.js';
import { declareServerCommands } from './families/server-commands.js';
import { declareSnapshotCommands } from './families/snapshot-commands.js';
import { createProgram } from './program.js';

/** Runs the CLI with `argv` (without node and script) and returns the exit code. */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  let exitCode: number = ExitCode.Ok;
  const program = assembleProgram(
    io,
    commandRunner(io, (code) => {
      exitCode = code;
    }),
  );
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    return reportError(error, io);
  }
}

/**
 * The whole `slipway` command tree; nothing is loaded beyond the declarations until a command runs.
 * The families are declared in the order `--help` lists them.
 */
export function assembleProgram(io: CliIo, run: RunCommand): CommandUnknownOpts {
  const program = createProgram(io);
  declareConfigCommands(program, run);
  declarePipelineCommands(program, run);
  declareRolloutCommands(program, run);
  declareAgentCommands(program, run);
  declareReleaseCommands(program, run);
  declareServerCommands(program, run);
  declareDemoCommands(program, run);
  declareHostCommands(program, run);
  declareEdgeCommands(program, run);
  declareGitOpsCommands(program, run);
  declareNotificationCommands(program, run);
  declareMetricsCommands(program, run);
  declareFlagsCommands(program, run);
  declareInfraCommands(program, run);
  declareSnapshotCommands(program, run);
  declareScanCommands(program, run);
  declareAuditCommands(program, run);
  return program;
}

function processIo(): CliIo {
  return { cwd: process.cwd(), env: process.env, stdout: process.stdout, stderr: process.stderr };
}
