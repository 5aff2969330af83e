// The standard OpenFeature web provider, unchanged, against an agent-style OFREP server: the web SDK
// and @openfeature/ofrep-web-provider run in Node (their fetch is Node's), read every flag with one
// bulk evaluation for the global context, re-read it when the context changes, and poll it every
// 200 ms with If-None-Match: 304s while nothing changes, one 200 when a flag does.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { OFREPWebProvider } from '@openfeature/ofrep-web-provider';
import { type EventDetails, OpenFeature, ProviderEvents } from '@openfeature/web-sdk';
import { startWebOfrepServer, type WebOfrepServer, waitFor, webDocument } from './ofrep-web-server.js';

const QUIET = { error() {}, warn() {}, info() {}, debug() {} };
const TIMEOUT = { timeout: 30_000 };

let ofrep: WebOfrepServer;
const client = () => OpenFeature.getClient();

before(async () => {
  ofrep = await startWebOfrepServer(webDocument('light'));
  OpenFeature.setLogger(QUIET);
  await OpenFeature.setContext({ targetingKey: 'u1' });
  await OpenFeature.setProviderAndWait(new OFREPWebProvider({ baseUrl: ofrep.baseUrl, pollInterval: 200 }));
});

after(async () => {
  await OpenFeature.close();
  await ofrep.close();
});

describe('the OFREP web provider against the agent listener', TIMEOUT, () => {
  test('initial values, variants and reasons of each type come from one bulk evaluation', () => {
    const flags = client();
    const checkout = flags.getBooleanDetails('new-checkout', true);
    assert.deepEqual([checkout.value, checkout.variant, checkout.reason], [false, 'off', 'DEFAULT']);
    assert.equal(checkout.flagMetadata.flagSetId, 'shop');
    const theme = flags.getStringDetails('theme', 'code-default');
    assert.deepEqual([theme.value, theme.variant, theme.reason], ['light', 'light', 'STATIC']);
    const discount = flags.getNumberDetails('discount', -1);
    assert.deepEqual([discount.value, discount.variant, discount.reason], [0, 'none', 'DEFAULT']);
    const banner = flags.getObjectDetails('banner', {});
    assert.deepEqual(
      [banner.value, banner.variant, banner.reason],
      [{ text: 'hello', size: 1 }, 'small', 'STATIC'],
    );
    assert.equal(ofrep.counts.get('POST /ofrep/v1/evaluate/flags 200'), 1, 'one bulk evaluation');
    assert.deepEqual(
      [...ofrep.counts.keys()].filter((k) => k.includes('/ofrep/v1/evaluate/flags/')),
      [],
      'no single evaluation: the web provider reads its cache',
    );
  });

  test('a disabled flag gives the code default; an unknown flag gives it with FLAG_NOT_FOUND', () => {
    const retired = client().getStringDetails('retired', 'code-default');
    assert.deepEqual(
      [retired.value, retired.reason, retired.errorCode],
      ['code-default', 'DISABLED', undefined],
    );
    const missing = client().getBooleanDetails('nope', true);
    assert.deepEqual([missing.value, missing.reason, missing.errorCode], [true, 'ERROR', 'FLAG_NOT_FOUND']);
    const mistyped = client().getNumberDetails('theme', 7);
    assert.deepEqual([mistyped.value, mistyped.errorCode], [7, 'TYPE_MISMATCH']);
  });

  test('targeting reads the context OpenFeature.setContext gives', async () => {
    await OpenFeature.setContext({ targetingKey: 'u2', email: 'ann@example.com', plan: 'pro' });
    const checkout = client().getBooleanDetails('new-checkout', false);
    assert.deepEqual([checkout.value, checkout.variant, checkout.reason], [true, 'on', 'TARGETING_MATCH']);
    const discount = client().getNumberDetails('discount', -1);
    assert.deepEqual([discount.value, discount.variant, discount.reason], [10, 'some', 'TARGETING_MATCH']);
    await OpenFeature.setContext({ targetingKey: 'u3', email: 'bob@elsewhere.test' });
    assert.equal(client().getBooleanValue('new-checkout', true), false);
    assert.equal(client().getNumberValue('discount', -1), 0);
  });

  test(
    'polling: 304s while nothing changes, then the change is picked up with one 200',
    TIMEOUT,
    async () => {
      const changed: EventDetails<ProviderEvents.ConfigurationChanged>[] = [];
      const onChange = (details?: EventDetails<ProviderEvents.ConfigurationChanged>) => {
        if (details) changed.push(details);
      };
      client().addHandler(ProviderEvents.ConfigurationChanged, onChange);
      try {
        const ok = ofrep.bulk(200);
        // Polls with the last ETag: the answer has not changed, so each is a 304 without a body.
        await waitFor('three 304s', () => ofrep.bulk(304) >= 3);
        assert.equal(ofrep.bulk(200), ok, 'no 200 while the flags stay the same');
        assert.equal(changed.length, 0);
        assert.equal(client().getStringValue('theme', 'code-default'), 'light');

        ofrep.serve(webDocument('dark'));
        const swapped = Date.now();
        await waitFor('the change is picked up', () => changed.length > 0);
        assert.ok(Date.now() - swapped < 2_000, `picked up ${Date.now() - swapped} ms after the change`);
        assert.deepEqual(changed[0]?.flagsChanged, ['theme']);
        const theme = client().getStringDetails('theme', 'code-default');
        assert.deepEqual([theme.value, theme.variant, theme.reason], ['dark', 'dark', 'STATIC']);
        assert.equal(ofrep.bulk(200), ok + 1, 'one 200 carries the change');

        // And back to 304s under the new ETag.
        const notModified = ofrep.bulk(304);
        await waitFor('two more 304s', () => ofrep.bulk(304) >= notModified + 2);
        assert.equal(ofrep.bulk(200), ok + 1);
        assert.equal(changed.length, 1);
      } finally {
        client().removeHandler(ProviderEvents.ConfigurationChanged, onChange);
      }
    },
  );
});
