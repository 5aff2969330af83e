/**
 * The `gitops:` section of slipway.yaml, in the words of the GitOps model Argo CD and Flux made
 * standard: a branch and path of a repository hold the desired state (a slipway.yaml there, with
 * the service sources it references), and Slipway converges what runs to it.
 */
import { z } from 'zod';
import { duration } from './fields.js';
import { notificationsSchema, resolveNotifications } from './notifications-schema.js';
import type { ResolvedGitOps } from './resolved.js';

/** The shortest interval between two reconcile passes. */
export const MIN_GITOPS_INTERVAL_MS = 10_000;

/** URL schemes the git client fetches from. */
const GIT_SCHEMES = ['file', 'ssh', 'git+ssh', 'ssh+git', 'git', 'http', 'https'] as const;

/**
 * A repository git can fetch: a URL of one of GIT_SCHEMES, an scp-like `[user@]host:path`, or a
 * plain path (absolute or relative to the project directory).
 */
export const gitUrl = z
  .string()
  .min(1)
  .superRefine((url, ctx) => {
    const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(url)?.[1]?.toLowerCase();
    if (scheme !== undefined && !(GIT_SCHEMES as readonly string[]).includes(scheme))
      ctx.addIssue({
        code: 'custom',
        message: `git cannot fetch a ${scheme}:// URL (use ${GIT_SCHEMES.map((s) => `${s}://`).join(', ')}, user@host:path or a path)`,
      });
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses.
    if (/[\u0000-\u001f\u007f]/.test(url) || url.startsWith('-'))
      ctx.addIssue({
        code: 'custom',
        message: 'a repository URL may not start with - or hold control characters',
      });
  })
  .describe(
    'Repository holding the desired state: `file://`, `ssh://`, `https://` or `git://` URL, `user@host:path`, or a path.',
  );

/** The name of a secret (its value is read from the environment or `.slipway/secrets.env`). */
const secretName = (example: string) =>
  z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: `the name of a secret, such as ${example}` });

/** True for a URL git reaches over SSH: ssh:// (and its aliases) or scp-like `[user@]host:path`. */
function overSsh(url: string): boolean {
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(url)?.[1]?.toLowerCase();
  if (scheme !== undefined) return ['ssh', 'git+ssh', 'ssh+git'].includes(scheme);
  return /^[^/]*:/.test(url);
}

/** Where the desired state is. */
export const gitopsRepositorySchema = z
  .strictObject({
    url: gitUrl,
    branch: z
      .string()
      .min(1)
      .regex(/^(?!-)[^\s~^:?*[\\]+$/, { error: 'not a branch name git accepts' })
      .default('main')
      .describe('Branch whose head is the desired state.'),
    token: secretName('GITOPS_TOKEN')
      .optional()
      .describe(
        'Name of the secret holding a token for a private `https://` repository (read from the environment, else `.slipway/secrets.env`); it travels in a header, never in the URL.',
      ),
    sshKey: secretName('GITOPS_DEPLOY_KEY')
      .optional()
      .describe(
        'Name of the secret holding the private key of a deploy key for an `ssh://` or `user@host:path` repository.',
      ),
    knownHosts: secretName('GITOPS_KNOWN_HOSTS')
      .optional()
      .describe(
        "Name of the secret holding the SSH server's known_hosts lines (`ssh-keyscan HOST`); without it the machine's known_hosts decide.",
      ),
    path: z
      .string()
      .default('/')
      .refine((p) => !p.split('/').includes('..'), { error: 'may not go up with ..' })
      .describe('Folder of the repository holding the slipway.yaml of the desired state (`/` is the top).'),
  })
  .describe('The repository, branch and path holding the desired state.');

/** How and when the desired state is applied. */
export const gitopsSyncSchema = z
  .strictObject({
    interval: duration
      .refine((ms) => ms >= MIN_GITOPS_INTERVAL_MS, {
        error: `must be at least ${MIN_GITOPS_INTERVAL_MS / 1000}s`,
      })
      .prefault('3m')
      .describe('Time between two reconcile passes (at least 10s); a push webhook starts one at once.'),
    prune: z
      .boolean()
      .default(false)
      .describe('Remove services and environments that run but are no longer in the desired state.'),
    selfHeal: z
      .boolean()
      .default(false)
      .describe('Undo changes made by hand (rollbacks, weights, instance counts, stopped services).'),
    parallel: z
      .int()
      .min(1)
      .max(32)
      .default(4)
      .describe('Most services synced at once; `dependsOn` orders them.'),
  })
  .describe('When passes run and what a sync may change.');

/** The `gitops:` section. */
export const gitopsSchema = z
  .strictObject({
    repository: gitopsRepositorySchema.superRefine((repository, ctx) => {
      if (repository.token !== undefined && !/^https?:\/\//i.test(repository.url))
        ctx.addIssue({
          code: 'custom',
          path: ['token'],
          message: 'a token is sent to http:// and https:// repositories only (an ssh:// one takes sshKey)',
        });
      for (const field of ['sshKey', 'knownHosts'] as const)
        if (repository[field] !== undefined && !overSsh(repository.url))
          ctx.addIssue({
            code: 'custom',
            path: [field],
            message: `${field} is for repositories reached over SSH (ssh://... or user@host:path)`,
          });
    }),
    sync: gitopsSyncSchema.prefault({}),
    notifications: notificationsSchema.optional(),
  })
  .describe('GitOps: the repository whose branch holds the desired state, and how it is applied.');

/** The resolved section: the path without leading or trailing slashes (`''` is the top). */
export function resolveGitOps(input: z.output<typeof gitopsSchema> | undefined): ResolvedGitOps | undefined {
  if (!input) return undefined;
  const notifications = resolveNotifications(input.notifications);
  const path = input.repository.path
    .split('/')
    .filter((p) => p !== '' && p !== '.')
    .join('/');
  return {
    repository: {
      url: input.repository.url,
      branch: input.repository.branch,
      path,
      ...(input.repository.token !== undefined ? { token: input.repository.token } : {}),
      ...(input.repository.sshKey !== undefined ? { sshKey: input.repository.sshKey } : {}),
      ...(input.repository.knownHosts !== undefined ? { knownHosts: input.repository.knownHosts } : {}),
    },
    sync: {
      intervalMs: input.sync.interval,
      prune: input.sync.prune,
      selfHeal: input.sync.selfHeal,
      parallel: input.sync.parallel,
    },
    ...(notifications ? { notifications } : {}),
  };
}
