/** The one shape every package source (npm lockfile, node_modules tree, dpkg status) is read into for scanning. */

/** One installed package version, where a reader found it. */
export interface InstalledPackage {
  /** The OSV ecosystem: `npm`, `Debian:12`. */
  readonly ecosystem: string;
  /** The name advisories use (an npm alias resolves to the real package's name). */
  readonly name: string;
  readonly version: string;
  /** The file it was read from, relative to the project or root filesystem: `package-lock.json`. */
  readonly file: string;
  /** Where it sits inside that source: `node_modules/a/node_modules/b`, or the Debian package name. */
  readonly path: string;
  /** The 1-based line of its entry in `file`, when known. */
  readonly line?: number;
  /** Only a development dependency (absent from an `npm ci --omit=dev` install). */
  readonly dev: boolean;
  readonly optional: boolean;
}
