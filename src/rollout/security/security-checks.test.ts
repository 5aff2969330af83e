// The security checks against real loopback HTTP and HTTPS servers, with certificates made by openssl.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import tls from 'node:tls';
import { OPENSSL, skipWithout } from '../../../test/helpers/outside-program.js';
import {
  certificate,
  type Routes,
  routesHandler,
  startServer,
  type TestCertificate,
  type TestServer,
} from '../../../test/rollout/security-servers.js';
import type { ResolvedSecurityChecks } from '../../config/resolved-security-checks.js';
import { describeReport, runSecurityChecks } from './security-checks.js';

const SECURE = {
  'strict-transport-security': 'max-age=31536000',
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'self'",
};
const DEFAULTS: ResolvedSecurityChecks = {
  path: '/',
  headers: { hsts: 'https', contentTypeOptions: true, csp: true, serverVersion: false },
  forbiddenPaths: ['/.git/', '/.git/config', '/.git/HEAD', '/.env'],
  sourceMaps: true,
  tls: { minVersion: 'TLSv1.2', expiryDays: 14 },
};
const PAGE = '<!doctype html><script src="/assets/app.js"></script><link rel="stylesheet" href="/site.css">';
const SITE: Routes = {
  '/': { headers: { 'content-type': 'text/html' }, body: PAGE },
  '/assets/app.js': { body: 'console.log("app");\n' },
  '/site.css': { body: 'body{}\n' },
};
const workdir = mkdtempSync(join(tmpdir(), 'slipway-security-'));
after(() => rmSync(workdir, { recursive: true, force: true }));

const servers: TestServer[] = [];
after(async () => {
  for (const server of servers) await server.close();
});
const serve = async (...args: Parameters<typeof startServer>) => {
  const server = await startServer(...args);
  servers.push(server);
  return server;
};
const check = (url: string, checks: Partial<ResolvedSecurityChecks> = {}) =>
  runSecurityChecks(
    { ...DEFAULTS, ...checks },
    { url, revision: 'r-new', workdir },
    { timeoutMs: 5000, now: Date.now() },
  );
const messages = (report: { findings: readonly { rule: string; message: string }[] }) =>
  report.findings.map((f) => `${f.rule}: ${f.message}`);

describe('security checks over HTTP', () => {
  test('a revision with secure headers and nothing leaked passes; every request names the revision', async () => {
    const server = await serve(routesHandler(SITE, SECURE));
    const report = await check(server.url);
    assert.deepEqual(messages(report), []);
    assert.match(
      describeReport(report, 'before traffic'),
      /^security checks before traffic at http:\/\/127\.0\.0\.1:\d+ passed \(\d+ requests\)$/,
    );
    assert.ok(server.seen.length >= 8, JSON.stringify(server.seen));
    assert.ok(
      server.seen.every((r) => r.revision === 'r-new'),
      JSON.stringify(server.seen),
    );
    const paths = server.seen.map((r) => r.path);
    for (const path of [
      '/',
      '/.git/',
      '/.git/config',
      '/.git/HEAD',
      '/.env',
      '/assets/app.js',
      '/assets/app.js.map',
      '/site.css.map',
    ])
      assert.ok(paths.includes(path), `${path} requested: ${paths.join(' ')}`);
  });

  test('a leaked /.git/config fails naming the path; 403, a redirect to a login and 404 pass', async () => {
    const server = await serve(
      routesHandler(
        {
          ...SITE,
          '/.git/config': { body: '[core]\n\trepositoryformatversion = 0\n' },
          '/.git/': { status: 403 },
          '/.env': { status: 302, headers: { location: '/login' } },
        },
        SECURE,
      ),
    );
    const report = await check(server.url);
    assert.deepEqual(messages(report), [
      'forbiddenPaths: GET /.git/config answered 200: a forbidden path is served',
    ]);
    assert.match(
      describeReport(report),
      /1 security problem at .*: GET \/\.git\/config answered 200: a forbidden path is served \(forbiddenPaths\)$/,
    );
  });

  test('a single-page app answering every path with its page leaks nothing by it', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { ...SECURE, 'content-type': 'text/html' });
      res.end('<!doctype html><div id="app"></div>');
    });
    assert.deepEqual(messages(await check(server.url)), []);
  });

  test('missing headers and a version in Server are each named', async () => {
    const server = await serve(routesHandler(SITE, { server: 'nginx/1.25.3', 'x-powered-by': 'Express' }));
    assert.deepEqual(messages(await check(server.url)), [
      'headers.contentTypeOptions: GET / has no X-Content-Type-Options: nosniff header',
      'headers.csp: GET / has no Content-Security-Policy header',
      'headers.serverVersion: GET / names a version in Server: nginx/1.25.3',
    ]);
    // HSTS over plain HTTP only when asked for (TLS ends in front of the router).
    assert.deepEqual(
      messages(
        await check(server.url, {
          headers: {
            ...DEFAULTS.headers,
            hsts: true,
            contentTypeOptions: false,
            csp: false,
            serverVersion: true,
          },
        }),
      ),
      ['headers.hsts: GET / has no Strict-Transport-Security header'],
    );
  });

  test('source maps: referenced, beside the file and embedded are found; a page answered for *.map is not one', async () => {
    const map = '{"version":3,"sources":["src/app.ts"],"mappings":"AAAA"}';
    const server = await serve(
      routesHandler(
        {
          '/': {
            headers: { 'content-type': 'text/html' },
            body: `${PAGE}<script src="/assets/vendor.js"></script><script src="/assets/inline.js"></script>`,
          },
          '/assets/app.js': { body: 'console.log("app");\n//# sourceMappingURL=/maps/app.js.map\n' },
          '/maps/app.js.map': { body: map },
          '/site.css': { body: 'body{}\n' },
          '/site.css.map': { body: map },
          '/assets/vendor.js': { body: 'var v;\n' },
          '/assets/vendor.js.map': { headers: { 'content-type': 'text/html' }, body: '<!doctype html>app' },
          '/assets/inline.js': { body: 'var i;\n//# sourceMappingURL=data:application/json;base64,e30=\n' },
        },
        SECURE,
      ),
    );
    assert.deepEqual(messages(await check(server.url)).sort(), [
      'sourceMaps: /assets/inline.js embeds a source map in a data: URL',
      'sourceMaps: source map /maps/app.js.map is served (referenced by /assets/app.js)',
      'sourceMaps: source map /site.css.map is served (beside /site.css)',
    ]);
    assert.deepEqual(messages(await check(server.url, { sourceMaps: false })), []);
  });

  test('the page is followed through a redirect within the endpoint; an endpoint that does not answer fails', async () => {
    const server = await serve(
      routesHandler({ '/': { status: 302, headers: { location: '/login' } }, '/login': { body: 'login' } }),
    );
    assert.deepEqual(messages(await check(server.url, { forbiddenPaths: [], sourceMaps: false })), [
      'headers.contentTypeOptions: GET / (redirected to /login) has no X-Content-Type-Options: nosniff header',
      'headers.csp: GET / (redirected to /login) has no Content-Security-Policy header',
    ]);
    const gone = await serve(routesHandler({}));
    await gone.close();
    const report = await check(gone.url, { forbiddenPaths: ['/.env'] });
    assert.deepEqual(
      report.findings.map((f) => f.rule),
      ['path', 'forbiddenPaths'],
    );
    assert.match(report.findings[0]?.message ?? '', /^GET \/ failed: .*ECONNREFUSED/);
  });
});

describe('security checks over HTTPS', { skip: skipWithout(OPENSSL) }, () => {
  let dir: string;
  let good: TestCertificate;
  let soon: TestCertificate;
  let other: TestCertificate;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'slipway-security-tls-'));
    good = certificate(dir, 'good', { days: 60 });
    soon = certificate(dir, 'soon', { days: 2 });
    other = certificate(dir, 'other', { days: 60, cn: 'other.test', san: 'DNS:other.test' });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  const site = (cert: TestCertificate, options: object = {}) =>
    serve(routesHandler(SITE, SECURE), { key: cert.key, cert: cert.cert, ...options });

  test('a trusted certificate with time left, TLSv1.3 and HSTS passes', async () => {
    const server = await site(good);
    const report = await check(server.url, { tls: { ...DEFAULTS.tls, ca: good.certFile } });
    assert.deepEqual(messages(report), []);
    assert.equal(report.tls, 'TLSv1.3');
    assert.match(describeReport(report), /passed \(\d+ requests, TLSv1\.3\)$/);
  });

  test('a certificate expiring in 2 days fails expiryDays 14; HSTS is required over HTTPS', async () => {
    const server = await serve(routesHandler(SITE, { ...SECURE, 'strict-transport-security': '' }), {
      key: soon.key,
      cert: soon.cert,
    });
    const found = messages(await check(server.url, { tls: { ...DEFAULTS.tls, ca: soon.certFile } }));
    assert.equal(found.length, 2, found.join('\n'));
    assert.match(
      found[0] ?? '',
      /^tls\.expiryDays: certificate for 127\.0\.0\.1 expires in 1 day \(\d{4}-\d\d-\d\d\), minimum 14$/,
    );
    assert.equal(found[1], 'headers.hsts: GET / has Strict-Transport-Security: , without a max-age above 0');
  });

  test('a hostname the certificate does not cover, and an untrusted certificate, are named', async () => {
    const server = await site(other);
    assert.deepEqual(messages(await check(server.url, { tls: { ...DEFAULTS.tls, ca: other.certFile } })), [
      'tls.hostname: hostname 127.0.0.1 does not match certificate (CN=other.test; DNS:other.test)',
    ]);
    const named = await site(good);
    const found = messages(await check(named.url, { tls: { ...DEFAULTS.tls, hostname: 'example.test' } }));
    assert.deepEqual(found, [
      `tls.ca: certificate of ${named.url.slice('https://'.length)} is not trusted (DEPTH_ZERO_SELF_SIGNED_CERT); if an internal authority issued it, name its PEM file in tls.ca`,
      'tls.hostname: hostname example.test does not match certificate (CN=localhost; DNS:localhost, IP Address:127.0.0.1)',
    ]);
  });

  test('a missing tls.ca file is a finding, not a crash', async () => {
    const server = await site(good);
    assert.deepEqual(
      (await check(server.url, { tls: { ...DEFAULTS.tls, ca: 'missing/ca.pem' } })).findings.map(
        (f) => f.rule,
      ),
      ['tls.ca'],
    );
  });

  test('TLSv1.3 as the minimum fails an endpoint that stops at TLSv1.2', async () => {
    const server = await site(good, { maxVersion: 'TLSv1.2' });
    assert.deepEqual(
      messages(
        await check(server.url, { tls: { ...DEFAULTS.tls, ca: good.certFile, minVersion: 'TLSv1.3' } }),
      ),
      ['tls.minVersion: TLSv1.2 negotiated, minimum TLSv1.3'],
    );
  });

  test('an endpoint that negotiates or accepts TLSv1.1 fails minVersion TLSv1.2', async (t) => {
    const legacy = { minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' } as const;
    const only11 = await site(good, legacy);
    const offered = await canOfferTls11(only11.url);
    if (offered !== true) {
      t.skip(`this Node and OpenSSL build does not offer TLSv1.1: ${offered}`);
      return;
    }
    assert.deepEqual(messages(await check(only11.url, { tls: { ...DEFAULTS.tls, ca: good.certFile } })), [
      'tls.minVersion: TLSv1.1 negotiated, minimum TLSv1.2',
    ]);
    const both = await site(good, { minVersion: 'TLSv1', ciphers: 'DEFAULT@SECLEVEL=0' });
    assert.deepEqual(messages(await check(both.url, { tls: { ...DEFAULTS.tls, ca: good.certFile } })), [
      `tls.minVersion: ${both.url.slice('https://'.length)} accepts TLSv1.1, minimum TLSv1.2`,
    ]);
  });
});

/** True when this Node completes a TLSv1.1 handshake with `url`; else why not. */
function canOfferTls11(url: string): Promise<true | string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = tls.connect(
      {
        host: hostname,
        port: Number(port),
        minVersion: 'TLSv1',
        maxVersion: 'TLSv1.1',
        ciphers: 'DEFAULT@SECLEVEL=0',
        rejectUnauthorized: false,
      },
      () => {
        socket.destroy();
        resolve(true);
      },
    );
    socket.on('error', (error) => resolve(error.message.split('\n')[0] ?? String(error)));
  });
}
