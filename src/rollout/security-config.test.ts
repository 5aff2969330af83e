// `checks.security` from slipway.yaml to the resolved deployment: `{}` is a strict check with
// every default, settings replace them, and mistakes are diagnostics at their key.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfigText } from '../config/load-config.js';
import { deploymentFor } from './deployment.js';

const load = (checks: string) =>
  loadConfigText(`services:
  web:
    run: node server.js
environments:
  production:
    checks:
${checks}
`);

test('security: {} resolves to every default', () => {
  const { config, diagnostics } = load('      security: {}');
  assert.deepEqual(diagnostics, []);
  assert.deepEqual(deploymentFor(config!, 'web', 'production').checks.security, {
    path: '/',
    headers: { hsts: 'https', contentTypeOptions: true, csp: true, serverVersion: false },
    forbiddenPaths: ['/.git/', '/.git/config', '/.git/HEAD', '/.env'],
    sourceMaps: true,
    tls: { minVersion: 'TLSv1.2', expiryDays: 14 },
  });
});

test('without security there is no security check', () => {
  const { config } = load('      smoke: [{ http: { path: /healthz } }]');
  assert.equal(deploymentFor(config!, 'web', 'production').checks.security, undefined);
});

test('every setting given replaces its default', () => {
  const { config, diagnostics } = load(`      security:
        url: https://web.example.test:8443/
        path: /app
        headers: { hsts: true, csp: false, serverVersion: true }
        forbiddenPaths: [/.git/config, /backup.zip]
        sourceMaps: false
        tls: { minVersion: TLSv1.3, expiryDays: 30, hostname: web.example.test, ca: certs/ca.pem }`);
  assert.deepEqual(diagnostics, []);
  assert.deepEqual(deploymentFor(config!, 'web', 'production').checks.security, {
    url: 'https://web.example.test:8443',
    path: '/app',
    headers: { hsts: true, contentTypeOptions: true, csp: false, serverVersion: true },
    forbiddenPaths: ['/.git/config', '/backup.zip'],
    sourceMaps: false,
    tls: { minVersion: 'TLSv1.3', expiryDays: 30, hostname: 'web.example.test', ca: 'certs/ca.pem' },
  });
});

test('an unknown key, a relative path, a TLS version below 1.2 and a non-HTTP url are diagnostics', () => {
  const { diagnostics } = load(`      security:
        forbiddenPaths: [.env]
        tls: { minVersion: TLSv1.1 }
        url: ftp://example.test
        header: {}`);
  const errors = diagnostics.filter((d) => d.severity === 'error');
  assert.deepEqual(errors.map((d) => d.path.join('.')).sort(), [
    'environments.production.checks.security.forbiddenPaths.0',
    'environments.production.checks.security.header',
    'environments.production.checks.security.tls.minVersion',
    'environments.production.checks.security.url',
  ]);
  const at = (suffix: string) => errors.find((d) => d.path.join('.').endsWith(suffix))?.message ?? '';
  assert.match(at('security.header'), /headers/);
  assert.match(at('security.url'), /http:\/\/ or https:\/\//);
  assert.match(at('forbiddenPaths.0'), /starting with '\/'/);
});
