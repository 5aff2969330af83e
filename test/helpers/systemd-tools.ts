/**
 * systemd's offline tools (systemd-analyze, systemd-socket-activate) for the tests of the agent's
 * units. They come with Debian's `systemd` package; where it is missing a test is skipped with the
 * install command, except under CI (CI=true), where a missing tool fails the test.
 */
import { spawnSync } from 'node:child_process';

/** The Debian package that provides the tools. */
export const SYSTEMD_PACKAGE = 'systemd';

/** True when `tool` runs here. */
function available(tool: string): boolean {
  return spawnSync(tool, ['--version'], { stdio: 'ignore', timeout: 10_000 }).status === 0;
}

/**
 * The skip option for a test that needs `tool`: false when it is there; a reason when it is not
 * and CI is unset. Under CI a missing tool throws, so the suite fails instead of passing untested.
 */
export function skipWithout(tool: string): false | string {
  if (available(tool)) return false;
  const install = `apt-get install -y ${SYSTEMD_PACKAGE}`;
  if (process.env.CI === 'true')
    throw new Error(`${tool} is missing under CI: install it with \`${install}\``);
  return `${tool} is missing: install it with \`${install}\``;
}
