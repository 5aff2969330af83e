// The server's view of slipway.yaml: parsed once per change of the file, not once per request.
import { statSync } from 'node:fs';
import { ConfigFileError } from '../config/errors.js';
import type { ResolvedConfig } from '../config/resolved.js';
import { ServerError } from './server-error.js';

/**
 * The project's config, loaded again only when the file's mtime, size or inode changes: parsing
 * and checking it is most of the cost of a read, and an edit is still seen by the next request.
 */
export class ConfigByMtime {
  private cached: { readonly key: string; readonly config: ResolvedConfig } | undefined;

  constructor(
    private readonly file: string,
    private readonly load: () => Promise<ResolvedConfig>,
  ) {}

  /** The current config; a missing or unreadable file is a ServerError `unavailable`, not the client's fault. */
  async get(): Promise<ResolvedConfig> {
    try {
      return await this.read();
    } catch (error) {
      if (error instanceof ConfigFileError)
        throw new ServerError(error.code, error.message, { cause: error });
      throw error;
    }
  }

  private async read(): Promise<ResolvedConfig> {
    let key: string;
    try {
      const stat = statSync(this.file, { bigint: true });
      key = `${stat.mtimeNs}:${stat.size}:${stat.ino}`;
    } catch {
      return this.load();
    }
    if (this.cached?.key === key) return this.cached.config;
    const config = await this.load();
    this.cached = { key, config };
    return config;
  }
}
