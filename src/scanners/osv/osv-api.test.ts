// OSV API requests built and answers parsed as data (the internet is not reachable from the tests), and
// the fall back to the offline database when a real connection is refused.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { describe, test } from 'node:test';
import { ScanError } from '../errors.js';
import type { InstalledPackage } from '../installed-package.js';
import { AdvisoryDb } from './advisory-db.js';
import {
  fetchOsvAdvisories,
  parseQuerybatchResponse,
  QUERYBATCH_LIMIT,
  querybatchRequests,
  resolveAdvisories,
  vulnUrl,
} from './osv-api.js';

const pkg = (name: string, version: string, ecosystem = 'npm'): InstalledPackage => ({
  ecosystem,
  name,
  version,
  file: 'package-lock.json',
  path: `node_modules/${name}`,
  dev: false,
  optional: false,
});

// A port nothing listens on: bound, then closed again.
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('OSV API requests and answers', () => {
  test('one query per distinct package version, in batches of at most 1000', () => {
    const bodies = querybatchRequests([
      pkg('ms', '2.0.0'),
      pkg('ms', '2.0.0'),
      pkg('openssl', '3.0.11-1', 'Debian:12'),
    ]);
    assert.deepEqual(bodies, [
      {
        queries: [
          { package: { ecosystem: 'npm', name: 'ms' }, version: '2.0.0' },
          { package: { ecosystem: 'Debian:12', name: 'openssl' }, version: '3.0.11-1' },
        ],
      },
    ]);
    const many = Array.from({ length: QUERYBATCH_LIMIT + 1 }, (_, i) => pkg('p', `1.0.${i}`));
    assert.deepEqual(
      querybatchRequests(many).map((b) => b.queries.length),
      [1000, 1],
    );
  });

  test('a querybatch answer gives the advisory ids of each query', () => {
    const answer = {
      results: [
        { vulns: [{ id: 'GHSA-aaaa-bbbb-cccc', modified: '2024-01-01T00:00:00Z' }, { id: 'CVE-2099-1' }] },
        {},
      ],
    };
    assert.deepEqual(parseQuerybatchResponse(answer, 2), [['GHSA-aaaa-bbbb-cccc', 'CVE-2099-1'], []]);
    for (const bad of [
      {},
      { results: [{}] },
      { results: [{ vulns: {} }, {}] },
      { results: [{ vulns: [{}] }, {}] },
    ]) {
      assert.throws(
        () => parseQuerybatchResponse(bad, 2),
        (e) => e instanceof ScanError && e.code === 'SCAN_OSV_API_FAILED',
      );
    }
    assert.equal(vulnUrl('https://api.osv.dev/', 'GHSA-x/y'), 'https://api.osv.dev/v1/vulns/GHSA-x%2Fy');
  });
});

describe('an unreachable API', () => {
  test('fails as unavailable, saying so', async () => {
    const baseUrl = `http://127.0.0.1:${await closedPort()}`;
    await assert.rejects(fetchOsvAdvisories([pkg('ms', '2.0.0')], { baseUrl }), (e) => {
      assert.ok(e instanceof ScanError);
      assert.equal(e.code, 'SCAN_OSV_API_UNREACHABLE');
      assert.equal(e.kind, 'unavailable');
      assert.match(
        e.message,
        /^OSV API not reachable: http:\/\/127\.0\.0\.1:\d+\/v1\/querybatch: fetch failed/,
      );
      return true;
    });
  });

  test('falls back to the offline database with a warning', async () => {
    const baseUrl = `http://127.0.0.1:${await closedPort()}`;
    const offline = AdvisoryDb.of([{ id: 'GHSA-1', modified: '2024-01-01T00:00:00Z' }]);
    const resolved = await resolveAdvisories([pkg('ms', '2.0.0')], { baseUrl, offline });
    assert.equal(resolved.source, 'offline');
    assert.equal(resolved.db, offline);
    assert.equal(resolved.warnings.length, 1);
    assert.match(
      resolved.warnings[0] ?? '',
      /^OSV API not reachable: .*; using the offline advisory database \(1 advisory\)$/,
    );
  });

  test('nothing to ask: no request at all', async () => {
    assert.deepEqual(await fetchOsvAdvisories([], { baseUrl: 'http://127.0.0.1:1' }), []);
  });
});
