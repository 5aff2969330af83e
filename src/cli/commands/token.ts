/** `slipway token create|list|revoke`: API tokens of the server, managed in the project store directly. */
import { generateToken, hashToken, isRole, ROLES } from '../../server/api-token.js';
import type { CommandContext } from '../context.js';
import { UsageError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { actorOf, openProjectStore, projectDirOf } from '../project.js';

/** Creates a token and prints it once; only its sha256 is stored. */
export async function tokenCreateCommand(
  ctx: CommandContext,
  options: { role?: string; name?: string },
): Promise<number> {
  if (!isRole(options.role))
    throw new UsageError(`--role must be one of ${ROLES.join(', ')}, got '${options.role ?? ''}'`);
  const name = options.name?.trim() ?? '';
  if (!/^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$/.test(name))
    throw new UsageError(
      `--name must be 1-64 letters, digits, '_', '.', '@' or '-', got '${options.name ?? ''}'`,
    );
  const store = await openProjectStore(ctx, projectDirOf(ctx));
  try {
    const token = generateToken();
    const created = await store.createToken({
      name,
      role: options.role,
      hash: hashToken(token),
      createdBy: actorOf(ctx),
    });
    ctx.output.data({ name: created.name, role: created.role, token });
    ctx.output.line(`token '${created.name}' (${created.role}): ${token}`);
    ctx.output.line('it is shown only now; send it as `Authorization: Bearer <token>`');
    return ExitCode.Ok;
  } finally {
    await store.close();
  }
}

/** Lists tokens (names, roles, use), never their values. */
export async function tokenListCommand(ctx: CommandContext): Promise<number> {
  const store = await openProjectStore(ctx, projectDirOf(ctx));
  try {
    const tokens = await store.listTokens();
    for (const token of tokens) ctx.output.data(token);
    if (!ctx.output.json) {
      if (tokens.length === 0) ctx.output.line('no tokens: `slipway token create --role admin --name NAME`');
      const when = (ms: number | null) => (ms === null ? 'never' : new Date(ms).toISOString());
      for (const t of tokens) {
        ctx.output.line(
          `${t.name.padEnd(20)} ${t.role.padEnd(9)} created ${when(t.createdAt)} by ${t.createdBy}, last used ${when(t.lastUsedAt)}${t.revokedAt === null ? '' : `, revoked ${when(t.revokedAt)}`}`,
        );
      }
    }
    return ExitCode.Ok;
  } finally {
    await store.close();
  }
}

/** Revokes a token by name; requests with it get 401 from then on. */
export async function tokenRevokeCommand(ctx: CommandContext, name: string): Promise<number> {
  const store = await openProjectStore(ctx, projectDirOf(ctx));
  try {
    const revoked = await store.revokeToken(name);
    ctx.output.data({ name: revoked.name, role: revoked.role, revokedAt: revoked.revokedAt });
    ctx.output.line(`token '${revoked.name}' revoked`);
    return ExitCode.Ok;
  } finally {
    await store.close();
  }
}
