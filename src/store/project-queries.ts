// The projects part of the store contract over Kysely: what the server builds, by repository and branch.
import type { Kysely, Selectable } from 'kysely';
import { isUniqueViolation, toStoreError } from './driver-errors.js';
import { StoreError } from './errors.js';
import type { Database, ProjectsTable } from './schema.js';
import type { NewProject, Project } from './store.js';

/** Project names: what `slipway project add NAME` accepts, safe in paths and URLs. */
export const PROJECT_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;

function toProject(row: Selectable<ProjectsTable>): Project {
  return {
    id: row.id,
    name: row.name,
    repo: row.repo,
    branch: row.branch,
    createdAt: row.created_at,
    createdBy: row.created_by,
  };
}

/** Inserts a project; a name already taken is INVALID_INPUT. */
export async function createProject(db: Kysely<Database>, now: number, input: NewProject): Promise<Project> {
  if (typeof input.name !== 'string' || !PROJECT_NAME.test(input.name))
    throw new StoreError(
      'INVALID_INPUT',
      `a project name is 1-100 letters, digits, '.', '_' or '-', starting with a letter or digit; got '${String(input.name)}'`,
    );
  for (const field of ['repo', 'branch', 'createdBy'] as const) {
    if (typeof input[field] !== 'string' || input[field].trim() === '')
      throw new StoreError('INVALID_INPUT', `a project needs a non-empty ${field}`);
  }
  try {
    const row = await db
      .insertInto('projects')
      .values({
        name: input.name,
        repo: input.repo,
        branch: input.branch,
        created_at: now,
        created_by: input.createdBy,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toProject(row);
  } catch (error) {
    if (isUniqueViolation(error))
      throw new StoreError('INVALID_INPUT', `a project named '${input.name}' already exists`, {
        cause: error,
      });
    throw toStoreError('registering a project', error);
  }
}

/** Every project in name order (by code point, the same on every database collation). */
export async function listProjects(db: Kysely<Database>): Promise<Project[]> {
  try {
    const rows = await db.selectFrom('projects').selectAll().execute();
    return rows.map(toProject).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  } catch (error) {
    throw toStoreError('listing projects', error);
  }
}

/** Deletes the project named `name` and returns it; NOT_FOUND when there is none. */
export async function removeProject(db: Kysely<Database>, name: string): Promise<Project> {
  let row: Selectable<ProjectsTable> | undefined;
  try {
    row = await db.deleteFrom('projects').where('name', '=', name).returningAll().executeTakeFirst();
  } catch (error) {
    throw toStoreError('removing a project', error);
  }
  if (!row) throw new StoreError('NOT_FOUND', `no project named '${name}'`);
  return toProject(row);
}
