// The flag API on a real server: reads, changes by role (each a version, audited, served at once and
// published to the platform's agents), bad input refused with nothing recorded, the OpenAPI entries.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FlagSnapshot } from '../../src/flags/flag-engine.js';
import type { FlagServing } from '../../src/platform/flag-publisher.js';
import { LocalPlatform } from '../../src/platform/local/local-platform.js';
import { type Harness, startServer, tempProject } from './helpers/server-harness.js';

const CONFIG = `version: 1
project: { name: flagged }
jobs:
  build: { run: echo built }
pipeline:
  stages:
    - name: ci
      parallel: [build]
flags:
  ofrep: { port: 18016 }
  $evaluators:
    beta-users: { in: [{ var: email }, ["ann@example.com"]] }
  flags:
    new-checkout:
      state: ENABLED
      variants: { on: true, off: false }
      defaultVariant: "off"
    banner:
      state: ENABLED
      variants: { red: "#f00", blue: "#00f" }
      defaultVariant: blue
      targeting: { if: [{ $ref: beta-users }, red, null] }
`;

describe('flag API', () => {
  let h: Harness;
  const published: { snapshot: FlagSnapshot; serving: FlagServing }[] = [];
  const as = (role: keyof Harness['tokens'], method: string, path: string, body?: unknown) =>
    h.api(method, path, { token: h.tokens[role], ...(body === undefined ? {} : { body }) });
  const history = async (key: string) =>
    (await as('viewer', 'GET', `/api/v1/flags/${key}/history`)).json.versions as { version: number }[];
  const evaluate = async (key: string, context: object = {}) =>
    (await as('viewer', 'POST', `/ofrep/v1/evaluate/flags/${key}`, { context })).json;

  before(async () => {
    const dir = await tempProject(CONFIG);
    // The agent is stood in for: the server hands it every rebuilt set.
    const platform = new LocalPlatform({ stateDir: join(dir, '.slipway') });
    platform.publishFlags = async (snapshot, serving) => {
      published.push({ snapshot, serving });
      return [{ host: 'local', version: snapshot.version, url: `http://127.0.0.1:${serving.port}` }];
    };
    h = await startServer(dir, undefined, { platform });
  });
  after(async () => {
    await h.close();
  });

  test('the declared flags are listed with their versions; get and history show one flag', async () => {
    const list = await as('viewer', 'GET', '/api/v1/flags');
    assert.equal(list.status, 200, list.text);
    assert.deepEqual(
      list.json.flags.map((f: { flag: string; version: number; source: string; actor: string }) => [
        f.flag,
        f.version,
        f.source,
        f.actor,
      ]),
      [
        ['banner', 1, 'config', 'slipway.yaml'],
        ['new-checkout', 1, 'config', 'slipway.yaml'],
      ],
    );
    assert.ok(list.json.version > 0);
    const one = await as('viewer', 'GET', '/api/v1/flags/new-checkout');
    assert.deepEqual(one.json.flag.definition, {
      state: 'ENABLED',
      variants: { on: true, off: false },
      defaultVariant: 'off',
    });
    assert.equal((await history('new-checkout')).length, 1);
    const unknown = await as('viewer', 'GET', '/api/v1/flags/nope');
    assert.equal(unknown.status, 404);
    assert.equal(unknown.json.error.code, 'FLAG_UNKNOWN');
    assert.match(unknown.json.error.message, /banner, new-checkout|new-checkout, banner/);
    assert.equal((await as('viewer', 'GET', '/api/v1/flags/nope/history')).status, 404);
  });

  test('a viewer cannot change a flag; a deployer can, and the change is audited, served at once and published', async () => {
    const refused = await as('viewer', 'POST', '/api/v1/flags/new-checkout/set', { variant: 'on' });
    assert.equal(refused.status, 403);
    assert.match(refused.json.error.message, /needs the deployer role/);
    assert.equal((await history('new-checkout')).length, 1);

    const set = await as('deployer', 'POST', '/api/v1/flags/new-checkout/set', { variant: 'on' });
    assert.equal(set.status, 200, set.text);
    assert.equal(set.json.changed, true);
    assert.equal(set.json.flag.version, 2);
    assert.equal(set.json.flag.actor, 'deployer-token');
    assert.equal(set.json.flag.source, 'api');
    assert.equal(set.json.flag.change, 'set');
    assert.equal(set.json.served.version, set.json.flag.eventId);
    assert.deepEqual(set.json.served.published, [
      { host: 'local', version: set.json.flag.eventId, url: 'http://127.0.0.1:18016' },
    ]);
    // Served by the server's own OFREP as soon as the answer is out.
    const value = await evaluate('new-checkout');
    assert.equal(value.value, true);
    assert.equal(value.variant, 'on');
    // The agents got the new set, with where to serve it and the config's evaluators.
    const last = published.at(-1);
    assert.equal(last?.snapshot.version, set.json.flag.eventId);
    assert.deepEqual(last?.serving, { host: '127.0.0.1', port: 18016 });
    assert.equal(last?.snapshot.document.flags['new-checkout']?.defaultVariant, 'on');
    assert.ok(last?.snapshot.document.$evaluators?.['beta-users']);

    const audit = await as('admin', 'GET', '/api/v1/audit?limit=1000');
    const entry = (audit.json.events as { actor: string; data: Record<string, unknown> }[]).find(
      (e) => e.data.path === '/api/v1/flags/new-checkout/set' && e.data.status === 200,
    );
    assert.equal(entry?.actor, 'deployer-token');
    assert.deepEqual(entry?.data.details, { flag: 'new-checkout', change: 'set', version: 2, changed: true });
    assert.ok(
      (audit.json.events as { data: Record<string, unknown> }[]).some(
        (e) => e.data.path === '/api/v1/flags/new-checkout/set' && e.data.status === 403,
      ),
    );
  });

  test('weights, disable, enable, a whole definition and a rollback are versions of their own', async () => {
    const weights = await as('deployer', 'POST', '/api/v1/flags/new-checkout/set', {
      weights: { on: 5, off: 95 },
    });
    assert.equal(weights.status, 200, weights.text);
    assert.deepEqual(weights.json.flag.definition.targeting, {
      fractional: [
        ['on', 5],
        ['off', 95],
      ],
    });
    const disabled = await as('deployer', 'POST', '/api/v1/flags/new-checkout/disable');
    assert.equal(disabled.json.flag.definition.state, 'DISABLED');
    assert.equal((await evaluate('new-checkout')).reason, 'DISABLED');
    const again = await as('deployer', 'POST', '/api/v1/flags/new-checkout/disable');
    assert.equal(again.json.changed, false, 'disabling a disabled flag records nothing');
    assert.equal(again.json.flag.version, disabled.json.flag.version);
    const enabled = await as('deployer', 'POST', '/api/v1/flags/new-checkout/enable');
    assert.equal(enabled.json.flag.definition.state, 'ENABLED');

    const put = await as('deployer', 'PUT', '/api/v1/flags/banner', {
      state: 'ENABLED',
      variants: { red: '#f00', blue: '#00f', green: '#0f0' },
      defaultVariant: 'green',
      targeting: { if: [{ $ref: 'beta-users' }, 'red', null] },
    });
    assert.equal(put.status, 200, put.text);
    assert.equal(put.json.flag.version, 2);
    assert.equal(put.json.flag.change, 'define');
    assert.equal((await evaluate('banner', { targetingKey: 'u1', email: 'bob@example.com' })).value, '#0f0');
    assert.equal((await evaluate('banner', { targetingKey: 'u1', email: 'ann@example.com' })).value, '#f00');

    const back = await as('deployer', 'POST', '/api/v1/flags/banner/rollback', {});
    assert.equal(back.status, 200, back.text);
    assert.equal(back.json.flag.version, 3);
    assert.equal(back.json.flag.change, 'rollback');
    assert.equal(back.json.flag.definition.defaultVariant, 'blue');
    const to = await as('deployer', 'POST', '/api/v1/flags/new-checkout/rollback', { to: 1 });
    assert.equal(to.json.flag.definition.defaultVariant, 'off');
    assert.equal((await evaluate('new-checkout')).value, false);
    assert.deepEqual(
      (await history('new-checkout')).map((v) => v.version),
      [1, 2, 3, 4, 5, 6],
    );
  });

  test('bad input is refused with the status of its kind, and nothing is recorded', async () => {
    const before = (await history('new-checkout')).length;
    const cases: [string, string, unknown, number, string][] = [
      ['POST', '/api/v1/flags/new-checkout/set', { variant: 'purple' }, 400, 'FLAG_VARIANT_UNKNOWN'],
      ['POST', '/api/v1/flags/new-checkout/set', { weights: 'on=x' }, 400, 'FLAG_WEIGHTS_INVALID'],
      ['POST', '/api/v1/flags/new-checkout/set', { weights: 'on=5,purple=95' }, 400, 'FLAG_VARIANT_UNKNOWN'],
      ['POST', '/api/v1/flags/new-checkout/set', {}, 400, 'INVALID_REQUEST'],
      ['POST', '/api/v1/flags/new-checkout/set', { variant: 'on', weights: 'on=1' }, 400, 'INVALID_REQUEST'],
      ['POST', '/api/v1/flags/nope/set', { variant: 'on' }, 404, 'FLAG_UNKNOWN'],
      ['POST', '/api/v1/flags/nope/enable', undefined, 404, 'FLAG_UNKNOWN'],
      ['POST', '/api/v1/flags/new-checkout/rollback', { to: 99 }, 404, 'FLAG_VERSION_UNKNOWN'],
      ['POST', '/api/v1/flags/new-checkout/rollback', { to: before }, 409, 'FLAG_CHANGE_CONFLICT'],
      [
        'PUT',
        '/api/v1/flags/new-checkout',
        { state: 'ENABLED', variants: { on: true }, defaultVariant: 'off' },
        422,
        'FLAG_DEFINITION_INVALID',
      ],
      [
        'PUT',
        '/api/v1/flags/new-checkout',
        { state: 'ENABLED', variants: { on: true }, targeting: { $ref: 'no-such-rule' } },
        422,
        'FLAG_DEFINITION_INVALID',
      ],
      ['PUT', '/api/v1/flags/new-checkout', { state: 'MAYBE', variants: {} }, 400, 'INVALID_REQUEST'],
    ];
    for (const [method, path, body, status, code] of cases) {
      const response = await as('deployer', method, path, body);
      assert.equal(response.status, status, `${method} ${path} ${JSON.stringify(body)}: ${response.text}`);
      assert.equal(response.json.error.code, code, `${method} ${path} ${JSON.stringify(body)}`);
    }
    assert.equal((await history('new-checkout')).length, before);
    assert.equal((await as('viewer', 'GET', '/api/v1/flags/nope/history')).status, 404);
  });

  test('the OpenAPI document lists the flag and OFREP routes with their roles', async () => {
    const doc = (await h.api('GET', '/api/v1/openapi.json')).json;
    assert.equal(doc.paths['/api/v1/flags'].get['x-slipway-role'], 'viewer');
    assert.equal(doc.paths['/api/v1/flags/{key}'].put['x-slipway-role'], 'deployer');
    assert.ok(doc.paths['/api/v1/flags/{key}'].put.requestBody);
    for (const action of ['set', 'enable', 'disable', 'rollback'])
      assert.equal(doc.paths[`/api/v1/flags/{key}/${action}`].post['x-slipway-role'], 'deployer', action);
    assert.equal(doc.paths['/api/v1/flags/{key}/history'].get['x-slipway-role'], 'viewer');
    assert.equal(doc.paths['/ofrep/v1/evaluate/flags/{key}'].post['x-slipway-role'], 'viewer');
    assert.ok(doc.paths['/ofrep/v1/evaluate/flags'].post.responses['304']);
  });

  test('nothing went wrong inside the server meanwhile', () => {
    assert.deepEqual(
      h.logs.filter((line) => line.startsWith('error:')),
      [],
    );
  });
});
