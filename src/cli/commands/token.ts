/**
 * `slipway token create|list|revoke`: API tokens of the server, managed in the project store
 * directly, or through a server's /api/v1/tokens (admin token) with --server.
 */
import { generateToken, hashToken, isRole, ROLES, TOKEN_NAME } from '../../access/api-token.js';
import type { ApiToken } from '../../store/store.js';
import type { CommandContext } from '../context.js';
import { UsageError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { actorOf, openProjectStore, projectDirOf } from '../project.js';
import { remoteClient } from '../remote/remote-context.js';

/** Prints a new token, the only time it is shown. */
function printCreated(ctx: CommandContext, created: { name: string; role: string; token: string }): void {
  ctx.output.data(created);
  ctx.output.line(`token '${created.name}' (${created.role}): ${created.token}`);
  ctx.output.line('it is shown only now; send it as `Authorization: Bearer <token>`');
}

/** Prints tokens: NDJSON, or one line each. */
function printTokens(ctx: CommandContext, tokens: readonly ApiToken[]): void {
  for (const token of tokens) ctx.output.data(token);
  if (ctx.output.json) return;
  if (tokens.length === 0) ctx.output.line('no tokens: `slipway token create --role admin --name NAME`');
  const when = (ms: number | null) => (ms === null ? 'never' : new Date(ms).toISOString());
  for (const t of tokens) {
    ctx.output.line(
      `${t.name.padEnd(20)} ${t.role.padEnd(9)} created ${when(t.createdAt)} by ${t.createdBy}, last used ${when(t.lastUsedAt)}${t.revokedAt === null ? '' : `, revoked ${when(t.revokedAt)}`}`,
    );
  }
}

/** Prints a revocation. */
function printRevoked(
  ctx: CommandContext,
  revoked: { name: string; role: string; revokedAt: number | null },
) {
  ctx.output.data({ name: revoked.name, role: revoked.role, revokedAt: revoked.revokedAt });
  ctx.output.line(`token '${revoked.name}' revoked`);
}

/** Creates a token and prints it once; only its sha256 is stored. */
export async function tokenCreateCommand(
  ctx: CommandContext,
  options: { role?: string; name?: string },
): Promise<number> {
  if (!isRole(options.role))
    throw new UsageError(`--role must be one of ${ROLES.join(', ')}, got '${options.role ?? ''}'`);
  const name = options.name?.trim() ?? '';
  if (!TOKEN_NAME.test(name))
    throw new UsageError(
      `--name must be 1-64 letters, digits, '_', '.', '@' or '-', got '${options.name ?? ''}'`,
    );
  const client = remoteClient(ctx);
  if (client) {
    const { body } = await client.post<{ name: string; role: string; token: string }>('/api/v1/tokens', {
      name,
      role: options.role,
    });
    printCreated(ctx, body);
    return ExitCode.Ok;
  }
  const store = await openProjectStore(ctx, projectDirOf(ctx));
  try {
    const token = generateToken();
    const created = await store.createToken({
      name,
      role: options.role,
      hash: hashToken(token),
      createdBy: actorOf(ctx),
    });
    printCreated(ctx, { name: created.name, role: created.role, token });
    return ExitCode.Ok;
  } finally {
    await store.close();
  }
}

/** Lists tokens (names, roles, use), never their values. */
export async function tokenListCommand(ctx: CommandContext): Promise<number> {
  const client = remoteClient(ctx);
  if (client) {
    printTokens(ctx, (await client.get<{ tokens: ApiToken[] }>('/api/v1/tokens')).tokens);
    return ExitCode.Ok;
  }
  const store = await openProjectStore(ctx, projectDirOf(ctx));
  try {
    printTokens(ctx, await store.listTokens());
    return ExitCode.Ok;
  } finally {
    await store.close();
  }
}

/** Revokes a token by name; requests with it get 401 from then on. */
export async function tokenRevokeCommand(ctx: CommandContext, name: string): Promise<number> {
  const client = remoteClient(ctx);
  if (client) {
    const { body } = await client.post<{ name: string; role: string; revokedAt: number | null }>(
      `/api/v1/tokens/${encodeURIComponent(name)}/revoke`,
    );
    printRevoked(ctx, body);
    return ExitCode.Ok;
  }
  const store = await openProjectStore(ctx, projectDirOf(ctx));
  try {
    printRevoked(ctx, await store.revokeToken(name));
    return ExitCode.Ok;
  } finally {
    await store.close();
  }
}
