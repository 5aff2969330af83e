/** `scan`: the scanners a security stage runs, writing SARIF for a job's `findings:` gate. */
import type { RunCommand } from '../command-runner.js';
import type { Program } from '../program.js';

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** Declares `scan deps`; the handler loads only when it runs. */
export function declareScanCommands(program: Program, run: RunCommand): void {
  const scan = program.command('scan').description('scanners whose SARIF a job gates with findings:');
  scan
    .command('deps')
    .description(
      "match installed packages against OSV advisories (offline export or the OSV API) and write SARIF: a lockfile, an image's node_modules tree, a root filesystem's dpkg status",
    )
    .option('--lockfile <file>', 'an npm package-lock.json (repeatable)', collect)
    .option(
      '--node-modules <dir>',
      'an installed node_modules tree, e.g. of npm ci --omit=dev (repeatable)',
      collect,
    )
    .option(
      '--rootfs <dir>',
      'a root filesystem whose var/lib/dpkg/status lists its Debian packages (repeatable)',
      collect,
    )
    .option('--advisories <path>', 'an OSV export: a directory of advisories, an all.zip, or one JSON file')
    .option('--online', 'ask the OSV API (falling back to --advisories when it cannot be reached)')
    .option('--osv-url <url>', 'the OSV API address (default https://api.osv.dev)')
    .option('--sarif <file>', 'write the SARIF log here (default: stdout)')
    .option('--include-dev', 'scan dev dependencies of a lockfile too')
    .action((opts, command) =>
      run(command, async (ctx) => (await import('../commands/scan.js')).scanDepsCommand(ctx, opts)),
    );
}
