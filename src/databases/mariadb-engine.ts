/**
 * MariaDB and MySQL: `mariadb-dump --single-transaction` to a file; a restore loads it into a new
 * database beside the live one, then moves every table across in one `RENAME TABLE` statement,
 * which the server applies all or nothing. SQL goes through the `mariadb` client of the same
 * package as `mariadb-dump`, so the engine needs no driver of its own.
 *
 * Triggers, views, routines and events cannot move between databases with `RENAME TABLE`, so a
 * database that has any is refused before anything changes (RESTORE_UNSUPPORTED).
 */
import { spawn } from 'node:child_process';
import type { DatabaseEngine, RowCounts, SnapshotResult } from './database-engine.js';
import { type ServerTarget, withDatabase } from './database-target.js';
import { DatabaseError } from './errors.js';
import { fileDigest, verifyDigest } from './file-digest.js';
import { lastLines, runTool } from './run-tool.js';

const INSTALL = 'apt-get install -y mariadb-client';

/** The engine of one MariaDB or MySQL database. */
export class MariadbEngine implements DatabaseEngine {
  readonly kind = 'mariadb';
  constructor(private readonly target: ServerTarget) {}

  async snapshot(file: string): Promise<SnapshotResult> {
    const [dump, tables] = await Promise.all([
      runTool(
        'mariadb-dump',
        [
          ...this.connArgs(),
          '--single-transaction',
          '--routines',
          '--triggers',
          '--events',
          '--hex-blob',
          `--result-file=${file}`,
          this.target.database,
        ],
        { env: this.toolEnv(), installHint: INSTALL },
      ),
      this.rowCounts(),
    ]);
    if (dump.code !== 0)
      throw new DatabaseError(
        'SNAPSHOT_FAILED',
        `mariadb-dump of ${this.target.database} failed (exit ${dump.code}):\n${lastLines(dump.stderr)}`,
      );
    return { ...(await fileDigest(file)), tables, format: 'mariadb-dump --single-transaction' };
  }

  async rowCounts(): Promise<RowCounts> {
    const tables = await this.baseTables(this.target.database);
    if (tables.length === 0) return {};
    const counts = tables.map(
      (t) => `SELECT ${quote(t)}, COUNT(*) FROM ${ident(this.target.database)}.${ident(t)};`,
    );
    const rows = await this.query(
      `START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY; ${counts.join(' ')} COMMIT;`,
    );
    return Object.fromEntries(rows.map(([name, n]) => [name ?? '', Number(n)]));
  }

  async restore(file: string, sha256: string): Promise<void> {
    await verifyDigest(file, sha256);
    const name = this.target.database;
    const stamp = Date.now().toString(36);
    const staging = `${name.slice(0, 36)}_slipway_restore_${stamp}`;
    const previous = `${name.slice(0, 36)}_slipway_before_${stamp}`;
    await this.refuseMovable(name);
    const [charset] = await this.query(
      `SELECT DEFAULT_CHARACTER_SET_NAME, DEFAULT_COLLATION_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ${quote(name)}`,
    );
    if (!charset)
      throw new DatabaseError('RESTORE_FAILED', `database ${name} does not exist on ${this.target.host}`);
    await this.query(
      `CREATE DATABASE ${ident(staging)} CHARACTER SET ${charset[0]} COLLATE ${charset[1]}; CREATE DATABASE ${ident(previous)}`,
    );
    try {
      const loaded = await runTool('mariadb', this.connArgs(withDatabase(this.target, staging)), {
        env: this.toolEnv(),
        stdinFile: file,
        installHint: INSTALL,
      });
      if (loaded.code !== 0)
        throw new DatabaseError(
          'RESTORE_FAILED',
          `loading the snapshot into a new database failed (exit ${loaded.code}); ${name} was not changed:\n${lastLines(loaded.stderr)}`,
        );
      await this.refuseMovable(staging);
      const live = await this.baseTables(name);
      const restored = await this.baseTables(staging);
      const moves = [
        ...live.map((t) => `${ident(name)}.${ident(t)} TO ${ident(previous)}.${ident(t)}`),
        ...restored.map((t) => `${ident(staging)}.${ident(t)} TO ${ident(name)}.${ident(t)}`),
      ];
      if (moves.length > 0) await this.query(`RENAME TABLE ${moves.join(', ')}`);
    } catch (error) {
      await this.query(
        `DROP DATABASE IF EXISTS ${ident(staging)}; DROP DATABASE IF EXISTS ${ident(previous)}`,
      ).catch(() => {});
      if (error instanceof DatabaseError) throw error;
      throw new DatabaseError('RESTORE_FAILED', `${(error as Error).message}; ${name} was not changed`, {
        cause: error,
      });
    }
    await this.query(`DROP DATABASE IF EXISTS ${ident(staging)}; DROP DATABASE IF EXISTS ${ident(previous)}`);
  }

  /** Refuses a database whose triggers, views, routines or events a table swap would leave behind. */
  private async refuseMovable(database: string): Promise<void> {
    const db = quote(database);
    const rows = await this.query(
      `SELECT 'trigger', TRIGGER_NAME FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ${db}
       UNION ALL SELECT 'view', TABLE_NAME FROM information_schema.VIEWS WHERE TABLE_SCHEMA = ${db}
       UNION ALL SELECT LOWER(ROUTINE_TYPE), ROUTINE_NAME FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ${db}
       UNION ALL SELECT 'event', EVENT_NAME FROM information_schema.EVENTS WHERE EVENT_SCHEMA = ${db}`,
    );
    if (rows.length > 0)
      throw new DatabaseError(
        'RESTORE_UNSUPPORTED',
        `data rollback of a MariaDB database moves its tables only, and ${this.target.database} has ${rows
          .map(([kind, n]) => `${kind} ${n}`)
          .join(', ')}; nothing was changed`,
      );
  }

  private async baseTables(database: string): Promise<string[]> {
    const rows = await this.query(
      `SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ${quote(database)} AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME`,
    );
    return rows.map(([t]) => t ?? '');
  }

  /** Runs SQL with the `mariadb` client; the result rows as tab-separated fields. */
  private async query(sql: string): Promise<string[][]> {
    return new Promise((resolve, reject) => {
      const child = spawn(
        'mariadb',
        [...this.connArgs(), '--batch', '--skip-column-names', '--raw', '-e', sql],
        {
          env: { ...process.env, ...this.toolEnv() },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let out = '';
      let err = '';
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString('utf8');
      });
      child.stderr.on('data', (c: Buffer) => {
        err += c.toString('utf8');
      });
      child.on('error', (error: NodeJS.ErrnoException) =>
        reject(
          new DatabaseError(
            error.code === 'ENOENT' ? 'DATABASE_TOOL_MISSING' : 'DATABASE_UNREACHABLE',
            error.code === 'ENOENT' ? `'mariadb' was not found: install it (${INSTALL})` : error.message,
          ),
        ),
      );
      child.on('close', (code) => {
        if (code !== 0) {
          const unreachable = /Can't connect|Access denied|Unknown database/.test(err);
          reject(new DatabaseError(unreachable ? 'DATABASE_UNREACHABLE' : 'RESTORE_FAILED', lastLines(err)));
          return;
        }
        resolve(
          out
            .split('\n')
            .filter((line) => line !== '')
            .map((line) => line.split('\t')),
        );
      });
    });
  }

  private connArgs(target: ServerTarget = this.target): string[] {
    return [
      '-h',
      target.host,
      '-P',
      String(target.port),
      '-u',
      target.user,
      ...(target === this.target ? [] : [target.database]),
    ];
  }

  private toolEnv(): Record<string, string> {
    return this.target.password ? { MYSQL_PWD: this.target.password } : {};
  }
}

function ident(name: string): string {
  return `\`${name.replaceAll('`', '``')}\``;
}

function quote(value: string): string {
  return `'${value.replaceAll('\\', '\\\\').replaceAll("'", "''")}'`;
}
