import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  decoyPath,
  forbiddenPathFinding,
  headerFindings,
  type SecurityResponse,
  type TlsObservation,
  tlsFindings,
} from './security-rules.js';
import { guessedMapUrl, isSourceMap, pageAssets, sourceMapRefs } from './source-maps.js';

const STRICT = { hsts: 'https', contentTypeOptions: true, csp: true, serverVersion: false } as const;
const SECURE_HEADERS = {
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'self'",
};

const answer = (status: number, body = '', headers: SecurityResponse['headers'] = {}): SecurityResponse => ({
  status,
  headers,
  head: body,
  tail: body,
  bytes: Buffer.byteLength(body),
});
const messages = (findings: readonly { rule: string; message: string }[]) =>
  findings.map((f) => [f.rule, f.message]);

describe('header rules', () => {
  test('secure headers pass on HTTPS; without them each rule names its header', () => {
    const label = 'GET /';
    assert.deepEqual(headerFindings(answer(200, '', SECURE_HEADERS), STRICT, { label, https: true }), []);
    assert.deepEqual(
      messages(
        headerFindings(answer(200, '', { server: 'nginx/1.25.3', 'x-powered-by': 'Express' }), STRICT, {
          label,
          https: true,
        }),
      ),
      [
        ['headers.hsts', 'GET / has no Strict-Transport-Security header'],
        ['headers.contentTypeOptions', 'GET / has no X-Content-Type-Options: nosniff header'],
        ['headers.csp', 'GET / has no Content-Security-Policy header'],
        ['headers.serverVersion', 'GET / names a version in Server: nginx/1.25.3'],
      ],
    );
  });

  test('HSTS is required over plain HTTP only with hsts: true, and max-age=0 does not count', () => {
    const headers = { ...SECURE_HEADERS, 'strict-transport-security': undefined };
    assert.deepEqual(headerFindings(answer(200, '', headers), STRICT, { label: 'GET /', https: false }), []);
    assert.deepEqual(
      messages(
        headerFindings(answer(200, '', headers), { ...STRICT, hsts: true }, { label: 'GET /', https: false }),
      ),
      [['headers.hsts', 'GET / has no Strict-Transport-Security header']],
    );
    assert.deepEqual(
      messages(
        headerFindings(
          answer(200, '', { ...SECURE_HEADERS, 'strict-transport-security': 'max-age=0' }),
          STRICT,
          { label: 'GET /', https: true },
        ),
      ),
      [['headers.hsts', 'GET / has Strict-Transport-Security: max-age=0, without a max-age above 0']],
    );
    assert.deepEqual(
      headerFindings(
        answer(200),
        { ...STRICT, hsts: false, contentTypeOptions: false, csp: false },
        { label: 'GET /', https: true },
      ),
      [],
    );
  });

  test('a report-only policy, a wrong nosniff value and versions in X-Powered-By are named', () => {
    const findings = headerFindings(
      answer(200, '', {
        ...SECURE_HEADERS,
        'content-security-policy': undefined,
        'content-security-policy-report-only': "default-src 'self'",
        'x-content-type-options': 'sniff',
        'x-powered-by': 'PHP/8.2.1',
        server: 'Apache',
      }),
      STRICT,
      { label: 'GET /', https: true },
    );
    assert.deepEqual(messages(findings), [
      ['headers.contentTypeOptions', 'GET / has X-Content-Type-Options: sniff, expected nosniff'],
      [
        'headers.csp',
        'GET / has only Content-Security-Policy-Report-Only, which enforces nothing; no Content-Security-Policy header',
      ],
      ['headers.serverVersion', 'GET / names a version in X-Powered-By: PHP/8.2.1'],
    ]);
    const allowed = headerFindings(
      answer(200, '', { ...SECURE_HEADERS, server: 'nginx/1.25.3' }),
      { ...STRICT, serverVersion: true },
      { label: 'GET /', https: true },
    );
    assert.deepEqual(allowed, []);
  });
});

describe('forbidden paths', () => {
  test('2xx is served; 3xx, 403 and 404 are not; the same answer as a made-up path is a catch-all', () => {
    assert.deepEqual(forbiddenPathFinding('/.git/config', answer(200, '[core]\n'), answer(404, 'nope')), {
      rule: 'forbiddenPaths',
      message: 'GET /.git/config answered 200: a forbidden path is served',
    });
    for (const status of [301, 302, 403, 404])
      assert.equal(forbiddenPathFinding('/.env', answer(status)), undefined);
    const spa = answer(200, '<!doctype html><div id=app></div>');
    assert.equal(forbiddenPathFinding('/.env', spa, spa), undefined);
    assert.ok(forbiddenPathFinding('/.env', answer(200, 'SECRET=1\n'), spa));
  });

  test('the made-up path sits in the same folder', () => {
    assert.equal(decoyPath('/.git/config', 'x'), '/.git/x');
    assert.equal(decoyPath('/.git/', 'x'), '/x/');
    assert.equal(decoyPath('/.env', 'x'), '/x');
    assert.equal(decoyPath('/static/app.js.map', 'x'), '/static/x');
  });
});

describe('TLS rules', () => {
  const DAY = 86_400_000;
  const now = Date.parse('2026-03-01T00:00:00Z');
  const seen: TlsObservation = {
    endpoint: '127.0.0.1:8443',
    hostname: 'localhost',
    protocol: 'TLSv1.3',
    subject: 'CN=localhost; DNS:localhost, IP Address:127.0.0.1',
    validFrom: now - DAY,
    validTo: now + 90 * DAY,
  };
  const rules = { minVersion: 'TLSv1.2', expiryDays: 14 } as const;

  test('a good handshake passes', () => {
    assert.deepEqual(tlsFindings(seen, rules, now), []);
  });

  test('each problem is its own finding, named precisely', () => {
    const findings = tlsFindings(
      {
        ...seen,
        protocol: 'TLSv1.1',
        untrusted: 'DEPTH_ZERO_SELF_SIGNED_CERT',
        hostname: 'example.test',
        hostnameMismatch: 'Host: example.test. is not in the cert altnames',
        validTo: now + 3 * DAY + 3_600_000,
      },
      rules,
      now,
    );
    assert.deepEqual(messages(findings), [
      ['tls.minVersion', 'TLSv1.1 negotiated, minimum TLSv1.2'],
      [
        'tls.ca',
        'certificate of 127.0.0.1:8443 is not trusted (DEPTH_ZERO_SELF_SIGNED_CERT); if an internal authority issued it, name its PEM file in tls.ca',
      ],
      [
        'tls.hostname',
        'hostname example.test does not match certificate (CN=localhost; DNS:localhost, IP Address:127.0.0.1)',
      ],
      ['tls.expiryDays', 'certificate for example.test expires in 3 days (2026-03-04), minimum 14'],
    ]);
  });

  test('an older version accepted, an expired and a not yet valid certificate', () => {
    assert.deepEqual(messages(tlsFindings({ ...seen, acceptedOlder: 'TLSv1.1' }, rules, now)), [
      ['tls.minVersion', '127.0.0.1:8443 accepts TLSv1.1, minimum TLSv1.2'],
    ]);
    assert.deepEqual(messages(tlsFindings({ ...seen, validTo: now - DAY }, rules, now)), [
      ['tls.expiryDays', 'certificate for localhost expired on 2026-02-28'],
    ]);
    assert.deepEqual(messages(tlsFindings({ ...seen, validFrom: now + DAY }, rules, now)), [
      ['tls.expiryDays', 'certificate for localhost is not valid before 2026-03-02'],
    ]);
    assert.deepEqual(
      tlsFindings({ ...seen, protocol: 'TLSv1.2' }, { ...rules, minVersion: 'TLSv1.3' }, now).length,
      1,
    );
  });
});

describe('source maps', () => {
  const page = `<!doctype html><head>
    <link rel="stylesheet" href="/assets/site.css?v=2">
    <link rel="icon" href="/favicon.ico">
    <link rel=modulepreload href=/assets/chunk.js>
    <script src="https://cdn.example.com/lib.js"></script>
    <script type="module" src='assets/app.js'></script>
    <script src="/assets/app.js"></script>
    <script>console.log(1)</script></head>`;

  test("a page's same-origin scripts and stylesheets, in order, once each", () => {
    assert.deepEqual(pageAssets(page, 'http://127.0.0.1:8080/'), [
      'http://127.0.0.1:8080/assets/app.js',
      'http://127.0.0.1:8080/assets/site.css?v=2',
      'http://127.0.0.1:8080/assets/chunk.js',
    ]);
  });

  test('a sourceMappingURL comment, a SourceMap header and an embedded map', () => {
    const js = answer(200, 'console.log(1);\n//# sourceMappingURL=app.js.map\n', {
      sourcemap: '/maps/app.map',
    });
    assert.deepEqual(sourceMapRefs(js, 'http://h/assets/app.js'), {
      urls: ['http://h/maps/app.map', 'http://h/assets/app.js.map'],
      embedded: false,
    });
    const css = answer(200, 'a{}\n/*# sourceMappingURL=data:application/json;base64,eyJ2ZXJzaW9uIjozfQ== */');
    assert.deepEqual(sourceMapRefs(css, 'http://h/site.css'), { urls: [], embedded: true });
    assert.equal(guessedMapUrl('http://h/site.css?v=2'), 'http://h/site.css.map');
  });

  test('only a version 3 JSON map is a source map, not a page answered for any path', () => {
    assert.ok(isSourceMap(answer(200, '{"version":3,"sources":["a.ts"],"mappings":"AAAA"}')));
    assert.ok(isSourceMap(answer(200, ')]}\'\n{"version": 3, "sections": []}')));
    assert.ok(!isSourceMap(answer(200, '<!doctype html><p>app</p>')));
    assert.ok(!isSourceMap(answer(404, '{"version":3,"mappings":""}')));
  });
});
