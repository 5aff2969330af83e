/**
 * `server`, `token` and `project`: serving the HTTP API, and managing the API tokens and the
 * projects it builds (in the project store, or through a server with --server).
 */
import type { RunCommand } from '../command-runner.js';
import type { Program } from '../program.js';

const tokenHandlers = () => import('../commands/token.js');
const projectHandlers = () => import('../commands/projects.js');

/** Declares the server commands; the server and its clients load only when one of them runs. */
export function declareServerCommands(program: Program, run: RunCommand): void {
  program
    .command('server')
    .description(
      'serve the HTTP API (runs, approvals, deploys, events, audit) over this project until Ctrl-C',
    )
    .option('--port <port>', 'TCP port (0: any free port)', '7070')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--tls-cert <file>', 'PEM certificate (chain) to serve HTTPS with; needs --tls-key')
    .option('--tls-key <file>', 'PEM private key of --tls-cert')
    .option(
      '--insecure',
      'allow a non-loopback host without TLS settings (tokens cross the network in clear text)',
    )
    .option('--branch <branch>', 'branch whose GitHub pushes start runs (default: the current branch)')
    .option(
      '--webhook-secret-file <file>',
      'file holding the GitHub webhook secret (default: $SLIPWAY_WEBHOOK_SECRET)',
    )
    .action((opts, command) =>
      run(command, async (ctx) => (await import('../commands/server.js')).serverCommand(ctx, opts)),
    );

  const token = program
    .command('token')
    .description('API tokens of the server: shown once, stored only as sha256 hashes');
  token
    .command('create')
    .description('create a token and print it once (--json: {"name","role","token"})')
    .requiredOption('--role <role>', 'viewer, deployer, approver or admin')
    .requiredOption('--name <name>', 'unique name, recorded as the actor of what the token does')
    .action((opts, command) =>
      run(command, async (ctx) => (await tokenHandlers()).tokenCreateCommand(ctx, opts)),
    );
  token
    .command('list')
    .description('list tokens: name, role, creator, last use, revocation (never the token)')
    .action((_opts, command) => run(command, async (ctx) => (await tokenHandlers()).tokenListCommand(ctx)));
  token
    .command('revoke')
    .argument('<name>', 'token name')
    .description('revoke a token; requests with it get 401 from then on')
    .action((name, _opts, command) =>
      run(command, async (ctx) => (await tokenHandlers()).tokenRevokeCommand(ctx, name)),
    );

  const project = program
    .command('project')
    .description('projects the server builds: pushes to their branch (GitHub webhook) start their pipeline');
  project
    .command('add')
    .argument('<name>', 'project name')
    .description('register a repository; the server clones it on its first push')
    .requiredOption(
      '--repo <path-or-url>',
      'local path, or https, ssh, git or file URL, or git@host:owner/name',
    )
    .option('--branch <branch>', 'branch whose pushes start runs', 'main')
    .action((name, opts, command) =>
      run(command, async (ctx) => (await projectHandlers()).projectAddCommand(ctx, name, opts)),
    );
  project
    .command('list')
    .description('list registered projects: name, branch, repository')
    .action((_opts, command) =>
      run(command, async (ctx) => (await projectHandlers()).projectListCommand(ctx)),
    );
  project
    .command('remove')
    .argument('<name>', 'project name')
    .description('unregister a project (its runs and events stay)')
    .action((name, _opts, command) =>
      run(command, async (ctx) => (await projectHandlers()).projectRemoveCommand(ctx, name)),
    );
}
