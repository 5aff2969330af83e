// Repository addresses of registered projects: checked when a project is added, matched against pushes.
import { isAbsolute, resolve } from 'node:path';
import { SlipwayError } from '../errors/slipway-error.js';

/** Why an address cannot be a project's repository: the user must give another one. */
export class RepoAddressError extends SlipwayError<'BAD_REPO_ADDRESS'> {
  override readonly name = 'RepoAddressError';
  constructor(message: string, options?: { readonly cause?: unknown }) {
    super('BAD_REPO_ADDRESS', 'usage', message, options);
  }
}

const URL_SCHEMES = new Set(['https:', 'http:', 'ssh:', 'git:', 'file:']);
const SCP_LIKE = /^([A-Za-z0-9_.-]+@)?([A-Za-z0-9.-]+):(?!\/\/)(.+)$/;

/**
 * The address to store for `repo`: a URL as given (https, http, ssh, git, file), scp-like
 * `git@host:owner/name` as given, and a local path made absolute against `cwd`.
 */
export function normalizeRepoAddress(repo: string, cwd: string): string {
  const text = repo.trim();
  if (text === '') throw new RepoAddressError('--repo must not be empty');
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw new RepoAddressError(`--repo '${text}' is not a valid URL`);
    }
    if (!URL_SCHEMES.has(url.protocol))
      throw new RepoAddressError(
        `--repo '${text}': use an https, http, ssh, git or file URL, an scp-like git@host:owner/name, or a local path`,
      );
    if (url.password !== '')
      throw new RepoAddressError('--repo must not carry a password: use a credential helper or an ssh key');
    return text;
  }
  if (SCP_LIKE.test(text) && !isAbsolute(text)) return text;
  return resolve(cwd, text);
}

/**
 * What two addresses of one repository have in common: host and path, lower-cased, without
 * user, `.git` suffix or trailing slashes (`https://github.com/Acme/API.git` and
 * `git@github.com:acme/api` both give `github.com/acme/api`); a local path or file URL gives the path.
 */
export function repoKey(address: string): string {
  const text = address.trim();
  let key: string;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    try {
      const url = new URL(text);
      key = url.protocol === 'file:' ? decodeURIComponent(url.pathname) : `${url.hostname}${url.pathname}`;
    } catch {
      key = text;
    }
  } else {
    const scp = SCP_LIKE.exec(text);
    key = scp && !isAbsolute(text) ? `${scp[2]}/${scp[3]}` : text;
  }
  key = key
    .replace(/\/+$/, '')
    .replace(/\.git$/, '')
    .replace(/\/+$/, '');
  return isAbsolute(key) ? key : key.toLowerCase();
}

/** The addresses a GitHub push names for its repository (clone, ssh, git and web URLs). */
export function pushedRepoKeys(repository: Readonly<Record<string, unknown>> | undefined): Set<string> {
  const keys = new Set<string>();
  if (!repository) return keys;
  for (const field of ['clone_url', 'ssh_url', 'git_url', 'html_url', 'url', 'svn_url']) {
    const value = repository[field];
    if (typeof value === 'string' && value.trim() !== '') keys.add(repoKey(value));
  }
  return keys;
}
