import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ResolvedConfig } from '../config/resolved.js';
import { blobBaseUrl, githubWebRoot } from './source-links.js';

const SHA = '8f14e45fceea167a5a36dedd4bea2543f3c1a2b9';

/** A config with only what the links read: the GitHub notifications connection and the release URL. */
const configWith = (github?: { baseUrl: string; repository: string }, repositoryUrl?: string) =>
  ({
    release: repositoryUrl === undefined ? {} : { repositoryUrl },
    ...(github === undefined ? {} : { gitops: { notifications: { github } } }),
  }) as unknown as ResolvedConfig;

describe('blobBaseUrl', () => {
  it("links to the commit's files in the notifications' GitHub repository", () => {
    const config = configWith({ baseUrl: 'https://api.github.com', repository: 'acme/shop' });
    assert.equal(blobBaseUrl(config, SHA), `https://github.com/acme/shop/blob/${SHA}`);
    const enterprise = configWith({ baseUrl: 'https://git.acme.example/api/v3/', repository: 'web/shop' });
    assert.equal(blobBaseUrl(enterprise, SHA), `https://git.acme.example/web/shop/blob/${SHA}`);
  });

  it('else from release.repositoryUrl on GitHub or GitLab, and not at all for other hosts', () => {
    assert.equal(
      blobBaseUrl(configWith(undefined, 'https://github.com/acme/shop.git'), SHA),
      `https://github.com/acme/shop/blob/${SHA}`,
    );
    assert.equal(
      blobBaseUrl(configWith(undefined, 'https://gitlab.com/acme/group/shop'), SHA),
      `https://gitlab.com/acme/group/shop/-/blob/${SHA}`,
    );
    assert.equal(blobBaseUrl(configWith(undefined, 'https://git.example.org/acme/shop'), SHA), undefined);
    assert.equal(blobBaseUrl(configWith(), SHA), undefined);
  });

  it('has no link without a commit', () => {
    const config = configWith({ baseUrl: 'https://api.github.com', repository: 'acme/shop' });
    assert.equal(blobBaseUrl(config, null), undefined);
    assert.equal(blobBaseUrl(config, 'main"><script>'), undefined);
  });
});

describe('githubWebRoot', () => {
  it('maps API roots to the web roots of the same host', () => {
    assert.equal(githubWebRoot('https://api.github.com'), 'https://github.com');
    assert.equal(githubWebRoot('https://api.acme.ghe.com/'), 'https://acme.ghe.com');
    assert.equal(githubWebRoot('http://127.0.0.1:8080/api/v3'), 'http://127.0.0.1:8080');
    assert.equal(githubWebRoot('javascript:alert(1)'), undefined);
  });
});
