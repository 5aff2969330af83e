/** The package version, read once from package.json next to the compiled code. */
import { readFileSync } from 'node:fs';

/** Slipway's version string. */
export function slipwayVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}
