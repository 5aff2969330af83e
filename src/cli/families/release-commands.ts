/** `release` (with `show` and `download`) and `releases`: versioning the project and reading what was published. */
import type { RunCommand } from '../command-runner.js';
import type { Program } from '../program.js';

const releaseHandlers = () => import('../commands/release.js');

/** Declares the release commands; the release code loads only when one of them runs. */
export function declareReleaseCommands(program: Program, run: RunCommand): void {
  const release = program
    .command('release')
    .description(
      'version the project from its commits: changelog, annotated tag, checksummed assets (--dry-run changes nothing)',
    )
    .option('--dry-run', 'print the plan (previous, next, bump, commits, notes) and change nothing')
    .option('--prerelease <id>', 'make a prerelease such as 1.3.0-rc.1 (then rc.2 on the next run)')
    .option('--package <name>', 'release this package of release.packages')
    .action((opts, command) =>
      run(command, async (ctx) => (await releaseHandlers()).releaseCommand(ctx, opts)),
    );

  release
    .command('show')
    .argument('<tag>', 'release tag, e.g. v1.2.0')
    .description("print a release's notes, assets and service revisions")
    .action((tag, _opts, command) =>
      run(command, async (ctx) => (await releaseHandlers()).releaseShowCommand(ctx, tag)),
    );

  release
    .command('download')
    .argument('<tag>', 'release tag, e.g. v1.2.0')
    .description("copy a release's assets out, refusing any whose checksum does not match SHA256SUMS")
    .option('--out <dir>', 'where to write them (default: ./<tag>)')
    .action((tag, opts, command) =>
      run(command, async (ctx) => (await releaseHandlers()).releaseDownloadCommand(ctx, tag, opts)),
    );

  program
    .command('releases')
    .description('list published releases, newest first')
    .action((_opts, command) => run(command, async (ctx) => (await releaseHandlers()).releasesCommand(ctx)));
}
