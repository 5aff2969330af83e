/**
 * Where a run's files can be read on the web, for links from its findings: the commit's file view in
 * the project's repository, known from the notifications' GitHub connection (github.com or a GitHub
 * Enterprise host) or else from `release.repositoryUrl` on GitHub or GitLab.
 */
import type { ResolvedConfig } from '../config/resolved.js';

/**
 * The web URL of the files of `commitSha` (`https://github.com/acme/shop/blob/<sha>`), to which a
 * file's path and `#L<line>` are appended; undefined when the repository or the commit is unknown.
 */
export function blobBaseUrl(config: ResolvedConfig, commitSha: string | null): string | undefined {
  if (commitSha === null || !/^[0-9a-f]{7,64}$/i.test(commitSha)) return undefined;
  const github = config.gitops?.notifications?.github;
  if (github !== undefined) {
    const web = githubWebRoot(github.baseUrl);
    return web === undefined ? undefined : `${web}/${github.repository}/blob/${commitSha}`;
  }
  const repository = webRepository(config.release.repositoryUrl);
  if (repository === undefined) return undefined;
  return `${repository.url}${repository.gitlab ? '/-' : ''}/blob/${commitSha}`;
}

/** The web root of a GitHub REST API root: api.github.com is github.com, `https://HOST/api/v3` is HOST. */
export function githubWebRoot(apiBaseUrl: string): string | undefined {
  let url: URL;
  try {
    url = new URL(apiBaseUrl);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  const host = url.host.startsWith('api.') ? url.host.slice('api.'.length) : url.host;
  const path = url.pathname.replace(/\/+$/, '').replace(/\/api\/v3$/, '');
  return `${url.protocol}//${host}${path}`;
}

function webRepository(address: string | undefined): { url: string; gitlab: boolean } | undefined {
  if (address === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  const gitlab = /gitlab/i.test(url.hostname);
  if (!gitlab && !/github/i.test(url.hostname)) return undefined;
  const path = url.pathname.replace(/\/+$/, '').replace(/\.git$/, '');
  return path.split('/').length < 3 ? undefined : { url: `${url.protocol}//${url.host}${path}`, gitlab };
}
