// `slipway rollback --data` end to end: a deploy whose preDeploy hook migrates a real PostgreSQL and a
// real MariaDB database is preceded by snapshots; after it, rows are written; the rollback first lists
// what it would lose and changes nothing without --yes, then with --yes puts the old code back and
// both databases back to their rows and schema from before the deploy.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { MARIADB_DUMP, PG_DUMP, skipWithout } from '../helpers/outside-program.js';
import { fixtureConfig, ndjson, type TestProject, testProject } from '../rollout/helpers.js';

const PG_DB = `slipway_rollback_${process.pid}`;
const MARIA_DB = `slipway_rollback_${process.pid}`;
const psql = (sql: string) =>
  execFileSync(
    'psql',
    ['-h', '127.0.0.1', '-U', 'postgres', '-d', PG_DB, '-tA', '-v', 'ON_ERROR_STOP=1', '-c', sql],
    {
      encoding: 'utf8',
    },
  ).trim();
const mariadb = (sql: string, db = MARIA_DB) =>
  execFileSync(
    'mariadb',
    ['-h', '127.0.0.1', '-u', 'root', '--batch', '--skip-column-names', '-e', sql, ...(db ? [db] : [])],
    {
      encoding: 'utf8',
    },
  ).trim();

const CONFIG = fixtureConfig({
  strategy: '      rolling: { batchSize: 1, maxSurge: 1, maxUnavailable: 0 }',
  extra: `    hooks:
      preDeploy: psql -v ON_ERROR_STOP=1 -q -h 127.0.0.1 -U postgres -d ${PG_DB} -f migrate.sql && mariadb -h 127.0.0.1 -u root ${MARIA_DB} < migrate-maria.sql
    databases:
      - { name: main, url: postgres://postgres@127.0.0.1:5432/${PG_DB} }
      - { name: audit, url: 'mariadb://root:\${AUDIT_PASSWORD}@127.0.0.1:3306/${MARIA_DB}', snapshot: before-deploy }
`,
});

const skip = skipWithout(PG_DUMP) || skipWithout(MARIADB_DUMP);

describe('rollback --data', { timeout: 300_000, skip }, () => {
  let project: TestProject;
  after(async () => {
    await project?.cleanup();
    execFileSync('psql', [
      '-h',
      '127.0.0.1',
      '-U',
      'postgres',
      '-d',
      'postgres',
      '-qc',
      `DROP DATABASE IF EXISTS ${PG_DB} WITH (FORCE)`,
    ]);
    mariadb(`DROP DATABASE IF EXISTS ${MARIA_DB}`, '');
  });

  test('restores the rows and schema of before the deploy, after listing what is lost', async () => {
    execFileSync('psql', [
      '-h',
      '127.0.0.1',
      '-U',
      'postgres',
      '-d',
      'postgres',
      '-qc',
      `CREATE DATABASE ${PG_DB}`,
    ]);
    mariadb(`CREATE DATABASE ${MARIA_DB}`, '');
    project = testProject(CONFIG);
    // The MariaDB URL names a secret, read from .slipway/secrets.env (root has no password here).
    mkdirSync(join(project.dir, '.slipway'), { recursive: true });
    writeFileSync(join(project.dir, '.slipway', 'secrets.env'), 'AUDIT_PASSWORD=\n');
    const migrate = (pg: string, maria: string) => {
      writeFileSync(join(project.dir, 'migrate.sql'), pg);
      writeFileSync(join(project.dir, 'migrate-maria.sql'), maria);
    };
    migrate(
      "CREATE TABLE accounts (id int PRIMARY KEY, name text NOT NULL); INSERT INTO accounts VALUES (1, 'ada'), (2, 'grace'), (3, 'linus');",
      "CREATE TABLE audit (id int PRIMARY KEY, what varchar(40)); INSERT INTO audit VALUES (1, 'created');",
    );
    const first = project.cli('--json', 'deploy', 'web', '--env', 'prod');
    assert.equal(first.status, 0, first.stderr + first.stdout);

    migrate(
      "ALTER TABLE accounts ADD COLUMN email text; INSERT INTO accounts VALUES (4, 'barbara', 'b@example.test');",
      "ALTER TABLE audit ADD COLUMN who varchar(40); INSERT INTO audit VALUES (2, 'migrated', 'ci');",
    );
    project.edit('VERSION: v1 }', 'VERSION: v2 }');
    const second = project.cli('deploy', 'web', '--env', 'prod');
    assert.equal(second.status, 0, second.stderr + second.stdout);
    assert.match(second.stdout, /web: snapshot \d+ of main \(postgres, .*1 tables\)/);
    assert.match(second.stdout, /web: snapshot \d+ of audit \(mariadb, .*1 tables\)/);
    const url = String(ndjson(project.cli('--json', 'status', 'web', '--env', 'prod').stdout)[0]?.url);
    assert.match(await (await fetch(`${url}/`)).text(), /v2/);
    // The new revision's users write.
    psql("INSERT INTO accounts VALUES (5, 'edsger', 'e@example.test'), (6, 'donald', 'd@example.test')");

    const listed = project.cli('snapshots', 'list', '--env', 'prod');
    assert.equal(listed.status, 0, listed.stderr);
    assert.equal(listed.stdout.match(/^\d+ {2}prod\/(main|audit)/gm)?.length, 4, listed.stdout);
    assert.match(
      listed.stdout,
      /prod\/main .* before-migrations {2}before web r-[0-9a-f]{12} \(replacing r-/,
    );
    assert.match(listed.stdout, /public\.accounts=3/);

    const asked = project.cli('rollback', 'web', '--env', 'prod', '--data');
    assert.equal(asked.status, 2, asked.stderr + asked.stdout);
    assert.match(asked.stdout, /public\.accounts: 6 rows now, 3 in the snapshot \(\+3 lost\)/);
    assert.match(asked.stdout, /audit: 2 rows now, 1 in the snapshot \(\+1 lost\)/);
    assert.match(asked.stdout, /nothing was changed: run again with --yes/);
    assert.equal(psql('SELECT count(*) FROM accounts'), '6', 'nothing changed without --yes');
    assert.match(await (await fetch(`${url}/`)).text(), /v2/);

    const done = project.cli('rollback', 'web', '--env', 'prod', '--data', '--yes');
    assert.equal(done.status, 0, done.stderr + done.stdout);
    assert.match(done.stdout, /main: restored snapshot \d+/);
    assert.match(done.stdout, /audit: restored snapshot \d+/);
    assert.match(await (await fetch(`${url}/`)).text(), /v1/);
    assert.equal(psql("SELECT string_agg(name, ',' ORDER BY id) FROM accounts"), 'ada,grace,linus');
    assert.equal(
      psql(
        "SELECT string_agg(column_name, ',' ORDER BY ordinal_position) FROM information_schema.columns WHERE table_name = 'accounts'",
      ),
      'id,name',
    );
    assert.equal(mariadb('SELECT GROUP_CONCAT(what ORDER BY id) FROM audit'), 'created');
    assert.equal(
      mariadb(
        `SELECT GROUP_CONCAT(COLUMN_NAME ORDER BY ORDINAL_POSITION) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = '${MARIA_DB}' AND TABLE_NAME = 'audit'`,
      ),
      'id,what',
    );
    const events = project.cli('--json', 'events', '--type', 'database.restored').stdout;
    assert.equal(ndjson(events).length, 2);
    assert.match(project.cli('snapshots', 'list', '--env', 'prod').stdout, /\[restored\]/);
  });
});
