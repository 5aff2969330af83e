// Unit tests of answerOfrep: OFREP requests as data in, answers as data out, no sockets.
import assert from 'node:assert/strict';
import { afterEach, describe, mock, test } from 'node:test';
import type { FlagDocument } from './flag-document.js';
import { FlagEngine } from './flag-engine.js';
import { answerOfrep, OFREP_CORS_HEADERS, type OfrepRequest } from './ofrep-service.js';

const DOCUMENT: FlagDocument = {
  flags: {
    banner: {
      state: 'ENABLED',
      variants: { on: true, off: false },
      defaultVariant: 'off',
      targeting: { if: [{ '==': [{ var: 'plan' }, 'pro'] }, 'on', null] },
    },
    'team/theme': { state: 'ENABLED', variants: { dark: 'dark' }, defaultVariant: 'dark' },
    café: { state: 'ENABLED', variants: { yes: 'oui' }, defaultVariant: 'yes' },
  },
  metadata: { flagSetId: 'shop' },
};
const engine = new FlagEngine({ version: 3, document: DOCUMENT });

const post = (path: string, body = '', ifNoneMatch?: string): OfrepRequest => ({
  method: 'POST',
  path,
  body,
  ifNoneMatch,
});
const SINGLE = '/ofrep/v1/evaluate/flags/banner';
const BULK = '/ofrep/v1/evaluate/flags';
const parsed = (answer: ReturnType<typeof answerOfrep>) =>
  JSON.parse(answer?.body ?? 'null') as Record<string, unknown>;

describe('paths', () => {
  test('paths outside OFREP are not answered (the caller 404s them)', () => {
    for (const path of [
      '/',
      '/healthz',
      '/ofrep/v1/evaluate',
      '/ofrep/v1/evaluate/flagsX',
      '/ofrep/v2/evaluate/flags',
    ])
      assert.equal(answerOfrep(engine, post(path, '{}')), undefined, path);
  });

  test('the bulk evaluation answers with and without a trailing slash', () => {
    for (const path of [BULK, `${BULK}/`]) {
      const answer = answerOfrep(engine, post(path, '{"context":{}}'));
      assert.equal(answer?.status, 200, path);
      assert.deepEqual(
        (parsed(answer).flags as { key: string }[]).map((f) => f.key),
        ['banner', 'team/theme', 'café'],
      );
    }
  });

  test('a single evaluation decodes its key; a malformed escape is taken as written', () => {
    assert.equal(parsed(answerOfrep(engine, post(`${BULK}/team%2Ftheme`, '{}'))).value, 'dark');
    assert.equal(parsed(answerOfrep(engine, post(`${BULK}/caf%C3%A9`, '{}'))).value, 'oui');
    const bad = answerOfrep(engine, post(`${BULK}/100%`, '{}'));
    assert.equal(bad?.status, 404);
    assert.equal(parsed(bad).key, '100%');
  });

  test('anything but POST (or a preflight) is a 405 that says to POST', () => {
    for (const path of [SINGLE, BULK]) {
      for (const method of ['GET', 'PUT', 'DELETE']) {
        const answer = answerOfrep(engine, { method, path, body: '' });
        assert.equal(answer?.status, 405);
        assert.equal(answer?.headers.allow, 'POST, OPTIONS');
        assert.match(String(parsed(answer).errorDetails), new RegExp(`${method} is not allowed`));
      }
    }
  });
});

describe('CORS', () => {
  test('a preflight on either OFREP path allows POST with the providers headers, to any origin', () => {
    for (const path of [SINGLE, BULK, `${BULK}/`]) {
      const answer = answerOfrep(engine, { method: 'OPTIONS', path, body: '' });
      assert.equal(answer?.status, 204, path);
      assert.equal(answer?.body, undefined);
      assert.deepEqual(answer?.headers, {
        'access-control-allow-origin': '*',
        'access-control-expose-headers': 'ETag',
        'access-control-allow-methods': 'POST',
        'access-control-allow-headers': 'content-type, if-none-match, authorization',
        'access-control-max-age': '7200',
      });
    }
    assert.equal(answerOfrep(engine, { method: 'OPTIONS', path: '/healthz', body: '' }), undefined);
  });

  test('every answer, 304 and errors included, may be read by any origin with its ETag', () => {
    const first = answerOfrep(engine, post(BULK, '{}'));
    const answers = [
      answerOfrep(engine, post(SINGLE, '{}')),
      answerOfrep(engine, post(`${BULK}/nope`, '{}')),
      answerOfrep(engine, post(SINGLE, '{oops')),
      answerOfrep(engine, { method: 'GET', path: SINGLE, body: '' }),
      first,
      answerOfrep(engine, post(BULK, '{}', first?.headers.etag)),
    ];
    assert.deepEqual(
      answers.map((a) => a?.status),
      [200, 404, 400, 405, 200, 304],
    );
    for (const answer of answers) {
      assert.equal(answer?.headers['access-control-allow-origin'], '*', String(answer?.status));
      assert.equal(answer?.headers['access-control-expose-headers'], 'ETag', String(answer?.status));
      assert.equal(answer?.headers['access-control-allow-credentials'], undefined);
    }
  });
});

describe('single evaluation', () => {
  test('answers the engine evaluation as JSON with its status', () => {
    const answer = answerOfrep(engine, post(SINGLE, '{"context":{"plan":"pro","targetingKey":"u1"}}'));
    assert.equal(answer?.status, 200);
    assert.equal(answer?.headers['content-type'], 'application/json');
    assert.deepEqual(parsed(answer), {
      key: 'banner',
      value: true,
      reason: 'TARGETING_MATCH',
      variant: 'on',
      metadata: { flagSetId: 'shop' },
    });
    const missing = answerOfrep(engine, post(`${BULK}/nope`, '{"context":{}}'));
    assert.equal(missing?.status, 404);
    assert.equal(parsed(missing).errorCode, 'FLAG_NOT_FOUND');
  });

  test('an empty body, `{}` and a body without context are the empty context', () => {
    for (const body of ['', '  \n', '{}', '{"other":1}']) {
      const answer = answerOfrep(engine, post(SINGLE, body));
      assert.equal(answer?.status, 200, JSON.stringify(body));
      assert.equal(parsed(answer).reason, 'DEFAULT');
    }
  });

  test('a body that is not {"context": {...}} is INVALID_CONTEXT, naming the flag', () => {
    for (const body of [
      '{',
      'null',
      '[]',
      '"x"',
      '{"context":null}',
      '{"context":[1]}',
      '{"context":"pro"}',
    ]) {
      const answer = answerOfrep(engine, post(SINGLE, body));
      assert.equal(answer?.status, 400, body);
      assert.deepEqual(parsed(answer), {
        key: 'banner',
        errorCode: 'INVALID_CONTEXT',
        errorDetails: 'the body must be JSON: {"context": {...}}',
      });
    }
  });
});

describe('bulk evaluation', () => {
  afterEach(() => mock.restoreAll());

  test('lists every flag and the set metadata, with an ETag', () => {
    const answer = answerOfrep(engine, post(BULK, '{"context":{"plan":"pro"}}'));
    assert.equal(answer?.status, 200);
    assert.match(answer?.headers.etag ?? '', /^"[\w-]{22}"$/);
    assert.deepEqual(parsed(answer), {
      flags: engine.evaluateAll({ plan: 'pro' }),
      metadata: { flagSetId: 'shop' },
    });
  });

  test('an invalid context is INVALID_CONTEXT without a key', () => {
    const answer = answerOfrep(engine, post(BULK, '{"context":5}'));
    assert.equal(answer?.status, 400);
    assert.deepEqual(parsed(answer), {
      errorCode: 'INVALID_CONTEXT',
      errorDetails: 'the body must be JSON: {"context": {...}}',
    });
  });

  test('If-None-Match with the ETag is a 304 without a body, also weak, in a list, or *', () => {
    const body = '{"context":{"plan":"pro"}}';
    const etag = answerOfrep(engine, post(BULK, body))?.headers.etag ?? '';
    for (const ifNoneMatch of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
      const answer = answerOfrep(engine, post(BULK, body, ifNoneMatch));
      assert.deepEqual(answer, { status: 304, headers: { ...OFREP_CORS_HEADERS, etag } }, ifNoneMatch);
    }
    assert.equal(answerOfrep(engine, post(BULK, body, '"other"'))?.status, 200);
  });

  test('the ETag changes with the context when the answer does, and only then', () => {
    const etagOf = (body: string) => answerOfrep(engine, post(BULK, body))?.headers.etag;
    const pro = etagOf('{"context":{"plan":"pro"}}');
    assert.notEqual(etagOf('{"context":{"plan":"free"}}'), pro);
    assert.equal(etagOf('{ "context" : { "plan" : "pro" } }'), pro);
    assert.equal(etagOf('{"context":{"plan":"pro","page":"home"}}'), pro);
    assert.equal(etagOf(''), etagOf('{"context":{"plan":"free"}}'));
  });

  test('the ETag changes with the flag set: a client holding the old one gets the new answer', () => {
    const body = '{"context":{}}';
    const before = answerOfrep(engine, post(BULK, body))?.headers.etag ?? '';
    const changed = new FlagEngine({
      version: 4,
      document: {
        ...DOCUMENT,
        flags: { ...DOCUMENT.flags, banner: { ...DOCUMENT.flags.banner!, defaultVariant: 'on' } },
      },
    });
    const answer = answerOfrep(changed, post(BULK, body, before));
    assert.equal(answer?.status, 200);
    assert.notEqual(answer?.headers.etag, before);
    assert.equal((parsed(answer).flags as { value: unknown }[])[0]?.value, true);
    const metadataOnly = new FlagEngine({
      version: 5,
      document: { ...DOCUMENT, metadata: { flagSetId: 'shop-2' } },
    });
    assert.equal(answerOfrep(metadataOnly, post(BULK, body, before))?.status, 200);
  });

  test('the ETag changes with the time when targeting reads $flagd.timestamp', () => {
    const launch = 1_800_000_000;
    const timed = new FlagEngine({
      version: 1,
      document: {
        flags: {
          launch: {
            state: 'ENABLED',
            variants: { on: true, off: false },
            defaultVariant: 'off',
            targeting: { if: [{ '>=': [{ var: '$flagd.timestamp' }, launch] }, 'on', 'off'] },
          },
        },
      },
    });
    const now = mock.method(Date, 'now', () => (launch - 60) * 1000);
    const before = answerOfrep(timed, post(BULK, '{}'));
    assert.equal((parsed(before).flags as { value: boolean }[])[0]?.value, false);
    now.mock.mockImplementation(() => (launch + 60) * 1000);
    const after = answerOfrep(timed, post(BULK, '{}', before?.headers.etag));
    assert.equal(after?.status, 200);
    assert.equal((parsed(after).flags as { value: boolean }[])[0]?.value, true);
  });
});
