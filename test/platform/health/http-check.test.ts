// HTTP dependencies: status decides, redirects are not followed, and only http(s) URLs are checked.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { checkDependency } from '../../../src/platform/health/check-dependency.js';
import { httpPeer, type Peer } from './helpers/peers.js';

let web: Peer;
before(async () => {
  web = await httpPeer((req, res) => {
    if (req.url === '/moved') res.writeHead(301, { location: '/ok' }).end();
    else if (req.url === '/ok') res.writeHead(200).end('ok');
    else res.writeHead(500).end('boom');
  });
});
after(() => web.close());

const dep = (url: string) => ({ name: 'api', kind: 'http' as const, url, timeoutMs: 2000 });

test('200 is ok', async () => {
  const result = await checkDependency(dep(`http://127.0.0.1:${web.port}/ok`), {});
  assert.deepEqual([result.ok, result.message], [true, 'HTTP 200']);
});

test('a redirect is ok without being followed', async () => {
  const result = await checkDependency(dep(`http://127.0.0.1:${web.port}/moved`), {});
  assert.deepEqual([result.ok, result.message], [true, 'HTTP 301']);
});

test('500 is not ok', async () => {
  const result = await checkDependency(dep(`http://127.0.0.1:${web.port}/broken`), {});
  assert.deepEqual([result.ok, result.message], [false, 'HTTP 500']);
});

test('a URL that is not http(s) is not ok', async () => {
  const result = await checkDependency(dep(`ftp://127.0.0.1:${web.port}/`), {});
  assert.deepEqual([result.ok, result.message], [false, 'unsupported URL scheme ftp:']);
});
