// Unit tests of reading SARIF into findings: ESLint's and Semgrep's logs as they write them, then the
// corners of the format one case at a time (rule lookup, severities, messages, URIs, fingerprints).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type Finding, severityOfScore } from './finding.js';
import { fillArguments, locationFingerprint, readSarif } from './read-sarif.js';

const fixture = (name: string): unknown =>
  JSON.parse(
    readFileSync(fileURLToPath(new URL(`../../test/fixtures/findings/${name}`, import.meta.url)), 'utf8'),
  );

const options = { file: 'reports/scan.sarif', projectRoot: '/home/ci/work/shop' };

/** A one-run log of `results`, with `driver` fields and run fields added. */
const log = (
  results: unknown[],
  driver: Record<string, unknown> = {},
  run: Record<string, unknown> = {},
) => ({
  version: '2.1.0',
  runs: [{ tool: { driver: { name: 'Scanner', ...driver } }, results, ...run }],
});

const one = (
  result: Record<string, unknown>,
  driver?: Record<string, unknown>,
  run?: Record<string, unknown>,
) => readSarif(log([{ message: { text: 'found' }, ...result }], driver, run), options)[0]!;

describe('readSarif on real tools', () => {
  test('ESLint (@microsoft/eslint-formatter-sarif): file URIs, levels, an eslint-disable', () => {
    const findings = readSarif(fixture('eslint.sarif'), options);
    assert.deepEqual(findings, [
      {
        tool: 'ESLint',
        rule: 'no-unused-vars',
        severity: 'medium',
        message: "'total' is assigned a value but never used.",
        location: { file: 'src/cart.js', line: 12, column: 9 },
        fingerprint: locationFingerprint('ESLint', 'no-unused-vars', { file: 'src/cart.js', line: 12 }),
        fingerprintSource: 'location',
      },
      {
        tool: 'ESLint',
        rule: 'no-eval',
        severity: 'high',
        message: 'eval can be harmful.',
        location: { file: 'src/legacy/price rules.js', line: 40, column: 3 },
        fingerprint: locationFingerprint('ESLint', 'no-eval', {
          file: 'src/legacy/price rules.js',
          line: 40,
        }),
        fingerprintSource: 'location',
      },
    ] satisfies Finding[]);
  });

  test('Semgrep: %SRCROOT%, security-severity, partial fingerprints before fingerprints', () => {
    const findings = readSarif(fixture('semgrep.sarif'), options);
    assert.deepEqual(
      findings.map((f) => [
        f.rule.split('.').at(-1),
        f.severity,
        f.location?.file,
        f.fingerprintSource,
        f.fingerprint,
      ]),
      [
        ['formatted-sql-query', 'critical', 'api/orders.py', 'report', '8f6e3cd1a0b29e47:1'],
        [
          'hardcoded-secret',
          'high',
          'api/auth.py',
          'report',
          '1f2e3d4c5b6a79880a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f6071_0',
        ],
        [
          'reflected-data-httpresponse',
          'high',
          'api/views.py',
          'location',
          locationFingerprint(
            'Semgrep OSS',
            'python.django.security.injection.reflected-data-httpresponse',
            { file: 'api/views.py', line: 51 },
            'return HttpResponse(request.GET["next"])',
          ),
        ],
      ],
    );
  });
});

describe('rules', () => {
  test('found by ruleId, by ruleIndex, or by rule.id', () => {
    const rules = [{ id: 'first' }, { id: 'second', defaultConfiguration: { level: 'error' } }];
    assert.equal(one({ ruleIndex: 1 }, { rules }).rule, 'second');
    assert.equal(one({ ruleIndex: 1 }, { rules }).severity, 'high');
    assert.equal(one({ rule: { id: 'second' } }, { rules }).severity, 'high');
    assert.equal(one({ ruleId: 'second' }, { rules }).severity, 'high');
    assert.equal(one({}).rule, '(no rule)');
  });

  test('in an extension, as CodeQL writes them (rule.toolComponent)', () => {
    const extensions = [
      {
        name: 'codeql/javascript-queries',
        rules: [{ id: 'js/sql-injection', properties: { 'security-severity': '8.8' } }],
      },
    ];
    const finding = readSarif(
      {
        version: '2.1.0',
        runs: [
          {
            tool: { driver: { name: 'CodeQL' }, extensions },
            results: [
              {
                ruleId: 'js/sql-injection',
                rule: { id: 'js/sql-injection', index: 0, toolComponent: { index: 0 } },
                message: { text: 'This query string depends on a user-provided value.' },
              },
            ],
          },
        ],
      },
      options,
    )[0]!;
    assert.equal(finding.tool, 'CodeQL');
    assert.equal(finding.severity, 'high');
  });
});

describe('severity', () => {
  test('level: error high, warning medium, note and none low; default warning', () => {
    assert.equal(one({ level: 'error' }).severity, 'high');
    assert.equal(one({ level: 'warning' }).severity, 'medium');
    assert.equal(one({ level: 'note' }).severity, 'low');
    assert.equal(one({ level: 'none' }).severity, 'low');
    assert.equal(one({}).severity, 'medium');
  });

  test("security-severity wins over the level, the result's over the rule's", () => {
    const rules = [{ id: 'r', properties: { 'security-severity': '9.0' } }];
    assert.equal(one({ ruleId: 'r', level: 'note' }, { rules }).severity, 'critical');
    assert.equal(
      one({ ruleId: 'r', properties: { 'security-severity': '4.0' } }, { rules }).severity,
      'medium',
    );
    assert.equal(one({ level: 'error', properties: { 'security-severity': 'n/a' } }).severity, 'high');
  });

  test("GitHub's score bands", () => {
    assert.deepEqual([10, 9, 8.9, 7, 6.9, 4, 3.9, 0.1, 0].map(severityOfScore), [
      'critical',
      'critical',
      'high',
      'high',
      'medium',
      'medium',
      'low',
      'low',
      'low',
    ]);
  });
});

describe('which results are findings', () => {
  test('pass, notApplicable and informational results are not', () => {
    const findings = readSarif(
      log(
        ['pass', 'notApplicable', 'informational', 'fail', 'review', 'open'].map((kind) => ({
          kind,
          message: { text: kind },
        })),
      ),
      options,
    );
    assert.deepEqual(
      findings.map((f) => f.message),
      ['fail', 'review', 'open'],
    );
  });

  test('results suppressed by the tool are not, unless a suppression is under review or rejected', () => {
    const withSuppressions = (suppressions: unknown[]) =>
      readSarif(log([{ message: { text: 'm' }, suppressions }]), options).length;
    assert.equal(withSuppressions([{ kind: 'inSource' }]), 0);
    assert.equal(withSuppressions([{ kind: 'external', status: 'accepted' }]), 0);
    assert.equal(withSuppressions([{ kind: 'external', status: 'underReview' }]), 1);
    assert.equal(withSuppressions([{ kind: 'inSource' }, { kind: 'external', status: 'rejected' }]), 1);
    assert.equal(withSuppressions([]), 1);
  });
});

describe('messages', () => {
  test("the rule's message string by id, with arguments", () => {
    const rules = [{ id: 'r', messageStrings: { default: { text: "'{0}' flows to '{1}'." } } }];
    assert.equal(
      one({ ruleId: 'r', message: { id: 'default', arguments: ['req.query.q', 'eval'] } }, { rules }).message,
      "'req.query.q' flows to 'eval'.",
    );
  });

  test('fillArguments keeps doubled braces literal and unknown placeholders', () => {
    assert.equal(fillArguments('{{0}} is {0}, {2} stays', ['x']), '{0} is x, {2} stays');
  });
});

describe('locations', () => {
  test('uriBaseIds resolve through originalUriBaseIds, and an unknown base is the project root', () => {
    const run = {
      originalUriBaseIds: {
        REPO: { uri: 'file:///home/ci/work/shop/' },
        SRC: { uri: 'src/', uriBaseId: 'REPO' },
      },
    };
    const at = (artifactLocation: unknown) =>
      one({ locations: [{ physicalLocation: { artifactLocation, region: { startLine: 3 } } }] }, {}, run)
        .location;
    assert.deepEqual(at({ uri: 'app.ts', uriBaseId: 'SRC' }), { file: 'src/app.ts', line: 3 });
    assert.deepEqual(at({ uri: 'lib/a.ts', uriBaseId: '%SRCROOT%' }), { file: 'lib/a.ts', line: 3 });
    assert.deepEqual(at({ uri: './lib/b.ts' }), { file: 'lib/b.ts', line: 3 });
    assert.deepEqual(at({ uri: 'file:///opt/other/x.ts' }), { file: '/opt/other/x.ts', line: 3 });
  });

  test('an artifact index stands for the uri; no region, no line; no artifact, no location', () => {
    const run = { artifacts: [{ location: { uri: 'file:///home/ci/work/shop/main.go' } }] };
    assert.deepEqual(
      one({ locations: [{ physicalLocation: { artifactLocation: { index: 0 } } }] }, {}, run).location,
      {
        file: 'main.go',
      },
    );
    assert.equal(
      one({ locations: [{ physicalLocation: { address: { absoluteAddress: 4096 } } }] }).location,
      undefined,
    );
    assert.equal('location' in one({}), false);
  });
});

describe('fingerprints', () => {
  test('the first partial fingerprint by key, else the first fingerprint by key', () => {
    const fp = (result: Record<string, unknown>) => one(result);
    assert.deepEqual(
      [
        fp({ partialFingerprints: { z: 'zz', primaryLocationLineHash: 'pp' }, fingerprints: { a: 'aa' } }),
      ].map((f) => [f.fingerprint, f.fingerprintSource]),
      [['pp', 'report']],
    );
    assert.equal(fp({ fingerprints: { 'matchBasedId/v1': 'm1', another: 'a1' } }).fingerprint, 'a1');
  });

  test('without one: a hash of tool, rule, file and line, changed by the snippet', () => {
    const base = {
      ruleId: 'r',
      locations: [{ physicalLocation: { artifactLocation: { uri: 'a.ts' }, region: { startLine: 5 } } }],
    };
    const a = one(base);
    assert.equal(a.fingerprintSource, 'location');
    assert.match(a.fingerprint, /^[0-9a-f]{64}$/);
    assert.equal(one(base).fingerprint, a.fingerprint);
    const moved = one({
      ...base,
      locations: [{ physicalLocation: { artifactLocation: { uri: 'a.ts' }, region: { startLine: 6 } } }],
    });
    assert.notEqual(moved.fingerprint, a.fingerprint);
    const snippet = one({
      ...base,
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: 'a.ts' },
            region: { startLine: 5, snippet: { text: 'eval(x)' } },
          },
        },
      ],
    });
    assert.notEqual(snippet.fingerprint, a.fingerprint);
  });
});
