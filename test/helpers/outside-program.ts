/**
 * The one contract for tests that need a program from outside npm (Chromium, Prometheus, systemd's
 * tools, ...): where the program is missing, a developer's run skips the test and `npm test` prints
 * the install command once at the end; under CI (CI=true) a missing program fails instead.
 */
import { accessSync, appendFileSync, constants } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';

/** A program some tests run, and the Debian package that installs it. */
export interface OutsideProgram {
  /** An absolute path when the tests run that exact file, else a name looked up on PATH. */
  readonly command: string;
  readonly aptPackage: string;
}

/** The headless browser of the dashboard tests (playwright-core drives Debian's build). */
export const CHROMIUM: OutsideProgram = { command: '/usr/bin/chromium', aptPackage: 'chromium' };
/** The metrics server of the analysis test. */
export const PROMETHEUS: OutsideProgram = { command: '/usr/bin/prometheus', aptPackage: 'prometheus' };
/** systemd's offline unit checker. */
export const SYSTEMD_ANALYZE: OutsideProgram = { command: 'systemd-analyze', aptPackage: 'systemd' };
/** systemd's socket activation, without a running systemd. */
export const SYSTEMD_SOCKET_ACTIVATE: OutsideProgram = {
  command: 'systemd-socket-activate',
  aptPackage: 'systemd',
};

/** One of the two traffic directors of a fleet's edge, driven through its runtime API. */
export const HAPROXY: OutsideProgram = { command: 'haproxy', aptPackage: 'haproxy' };
/** The SSH server of each namespace test host. */
export const SSHD: OutsideProgram = { command: '/usr/sbin/sshd', aptPackage: 'openssh-server' };
/** The OpenSSH client Slipway reaches hosts with (ssh, ssh-keyscan, ssh-keygen). */
export const SSH: OutsideProgram = { command: 'ssh-keyscan', aptPackage: 'openssh-client' };
/** Network namespaces and veth links for test hosts. */
export const IPROUTE2: OutsideProgram = { command: 'ip', aptPackage: 'iproute2' };
/** Kubernetes' client, with kustomize built in: renders kustomizations and reaches test clusters. */
export const KUBECTL: OutsideProgram = { command: 'kubectl', aptPackage: 'kubernetes-client' };
/** Terraform, which the infrastructure tests run for real (terraform_data needs no provider download). */
export const TERRAFORM: OutsideProgram = { command: 'terraform', aptPackage: 'terraform' };
/** GnuPG (gpg, gpgconf), which signs and verifies the GPG-signed commits of the signedCommits tests. */
export const GPG: OutsideProgram = { command: 'gpg', aptPackage: 'gnupg' };

/** The TLS toolkit tests make certificates with. */
export const OPENSSL: OutsideProgram = { command: 'openssl', aptPackage: 'openssl' };
/** PostgreSQL's dump and restore tools, which database snapshots run. */
export const PG_DUMP: OutsideProgram = { command: 'pg_dump', aptPackage: 'postgresql-client' };
/** MariaDB's dump tool and client, which database snapshots of MariaDB and MySQL run. */
export const MARIADB_DUMP: OutsideProgram = { command: 'mariadb-dump', aptPackage: 'mariadb-client' };

/**
 * The file where scripts/run-tests.mjs collects the install commands of missing programs, named by
 * this variable; unset when a test file runs on its own.
 */
export const MISSING_PROGRAMS_ENV = 'SLIPWAY_MISSING_PROGRAMS_FILE';

/** The command that installs `program` on Debian and Ubuntu. */
export function installCommand(program: OutsideProgram): string {
  return `apt-get install ${program.aptPackage}`;
}

/** True when `program` is an executable file here. */
export function isInstalled(program: OutsideProgram, env: NodeJS.ProcessEnv = process.env): boolean {
  const candidates = isAbsolute(program.command)
    ? [program.command]
    : (env.PATH ?? '')
        .split(delimiter)
        .filter((dir) => dir !== '')
        .map((dir) => join(dir, program.command));
  return candidates.some((path) => {
    try {
      accessSync(path, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/**
 * The `skip` option of a test that needs `program`: false when it is installed; when it is not, a
 * reason naming the install command (recorded for the end of the run), or, under CI, an error, so
 * the suite fails instead of passing untested.
 */
export function skipWithout(program: OutsideProgram, env: NodeJS.ProcessEnv = process.env): false | string {
  if (isInstalled(program, env)) return false;
  const install = installCommand(program);
  if (env.CI === 'true' || env.CI === '1')
    throw new Error(`${program.command} is missing and CI is set: install it with \`${install}\``);
  const record = env[MISSING_PROGRAMS_ENV];
  if (record !== undefined && record !== '') appendFileSync(record, `${install}\n`);
  return `${program.command} is missing: install it with \`${install}\``;
}
