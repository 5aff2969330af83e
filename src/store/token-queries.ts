// The API tokens part of the store contract over Kysely: only hashes are stored, never tokens.
import type { Kysely, Selectable } from 'kysely';
import { isUniqueViolation, toStoreError } from './driver-errors.js';
import { StoreError } from './errors.js';
import type { Database, TokensTable } from './schema.js';
import type { ApiToken, NewApiToken, TokenRole } from './store.js';

const ROLES: ReadonlySet<string> = new Set<TokenRole>(['viewer', 'deployer', 'approver', 'admin']);
const SHA256_HEX = /^[0-9a-f]{64}$/;

/** Maps a tokens row, leaving the hash behind. */
function toApiToken(row: Omit<Selectable<TokensTable>, 'hash'>): ApiToken {
  return {
    id: row.id,
    name: row.name,
    role: row.role as TokenRole,
    createdAt: row.created_at,
    createdBy: row.created_by,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}

const PUBLIC_COLUMNS = [
  'id',
  'name',
  'role',
  'created_at',
  'created_by',
  'last_used_at',
  'revoked_at',
] as const;

/** Inserts a token; a name already taken (even by a revoked token) is INVALID_INPUT. */
export async function createToken(db: Kysely<Database>, now: number, input: NewApiToken): Promise<ApiToken> {
  if (typeof input.name !== 'string' || input.name.trim() === '')
    throw new StoreError('INVALID_INPUT', 'a token needs a non-empty name');
  if (!ROLES.has(input.role))
    throw new StoreError('INVALID_INPUT', `unknown token role '${String(input.role)}'`);
  if (!SHA256_HEX.test(input.hash))
    throw new StoreError('INVALID_INPUT', 'a token hash must be 64 lowercase hex characters (sha256)');
  if (typeof input.createdBy !== 'string' || input.createdBy.trim() === '')
    throw new StoreError('INVALID_INPUT', 'a token needs a non-empty createdBy');
  try {
    const row = await db
      .insertInto('tokens')
      .values({
        name: input.name,
        role: input.role,
        hash: input.hash,
        created_at: now,
        created_by: input.createdBy,
        last_used_at: null,
        revoked_at: null,
      })
      .returning(PUBLIC_COLUMNS)
      .executeTakeFirstOrThrow();
    return toApiToken(row);
  } catch (error) {
    if (isUniqueViolation(error))
      throw new StoreError('INVALID_INPUT', `a token named '${input.name}' already exists`, { cause: error });
    throw toStoreError('creating a token', error);
  }
}

/** The active token with this hash. */
export async function findTokenByHash(db: Kysely<Database>, hash: string): Promise<ApiToken | undefined> {
  try {
    const row = await db
      .selectFrom('tokens')
      .select(PUBLIC_COLUMNS)
      .where('hash', '=', hash)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return row === undefined ? undefined : toApiToken(row);
  } catch (error) {
    throw toStoreError('finding a token', error);
  }
}

/** Every token in creation order. */
export async function listTokens(db: Kysely<Database>): Promise<ApiToken[]> {
  try {
    const rows = await db.selectFrom('tokens').select(PUBLIC_COLUMNS).orderBy('id', 'asc').execute();
    return rows.map(toApiToken);
  } catch (error) {
    throw toStoreError('listing tokens', error);
  }
}

/** Revokes the active token named `name`. */
export async function revokeToken(db: Kysely<Database>, now: number, name: string): Promise<ApiToken> {
  let row: Omit<Selectable<TokensTable>, 'hash'> | undefined;
  try {
    row = await db
      .updateTable('tokens')
      .set({ revoked_at: now })
      .where('name', '=', name)
      .where('revoked_at', 'is', null)
      .returning(PUBLIC_COLUMNS)
      .executeTakeFirst();
  } catch (error) {
    throw toStoreError('revoking a token', error);
  }
  if (row === undefined) throw new StoreError('NOT_FOUND', `no active token named '${name}'`);
  return toApiToken(row);
}

/** Stamps the last use of a token. */
export async function touchToken(db: Kysely<Database>, now: number, id: number): Promise<void> {
  try {
    await db.updateTable('tokens').set({ last_used_at: now }).where('id', '=', id).execute();
  } catch (error) {
    throw toStoreError('stamping a token', error);
  }
}
