// Store contract suite, findings: written once, run unchanged against SQLite and PostgreSQL.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { NewFinding } from '../../src/store/stored-findings.js';
import { createBackends, fakeClock } from './helpers/backends.js';

const finding = (i: number, extra: Partial<NewFinding> = {}): NewFinding => ({
  tool: 'ESLint',
  rule: 'security/detect-eval-with-expression',
  severity: 'high',
  message: `eval with an expression #${i}`,
  location: { file: 'src/app.js', line: i + 1, column: 3 },
  fingerprint: `fp-${i}`,
  fingerprintSource: 'report',
  status: 'counted',
  ...extra,
});

for (const backend of createBackends()) {
  describe(`store contract: ${backend.name}`, { concurrency: true }, () => {
    after(() => backend.cleanup());

    describe('findings', () => {
      test('a job records its findings, read back whole; a later attempt replaces them', async () => {
        const { store } = await backend.fresh(fakeClock(1_000));
        const run = await store.createRun({ pipeline: 'shop', actor: 'alice', trigger: 'cli' });
        const first = [
          finding(0),
          finding(1, {
            status: 'suppressed',
            suppression: { reason: 'test code', author: 'bob', expires: '2027-01-01' },
          }),
          {
            ...finding(2, { severity: 'low', status: 'below', fingerprintSource: 'location' }),
            location: undefined,
          },
        ] as NewFinding[];
        await store.recordFindings(run.id, 'sast', first);
        await store.recordFindings(run.id, 'deps', [
          finding(9, { tool: 'osv', rule: 'GHSA-aaaa-bbbb-cccc' }),
        ]);
        const stored = await store.listFindings({ runId: run.id, jobKey: 'sast' });
        assert.equal(stored.length, 3);
        assert.deepEqual(stored[0]?.location, { file: 'src/app.js', line: 1, column: 3 });
        assert.equal(stored[1]?.status, 'suppressed');
        assert.deepEqual(stored[1]?.suppression, {
          reason: 'test code',
          author: 'bob',
          expires: '2027-01-01',
        });
        assert.equal(stored[2]?.location, undefined);
        assert.equal(stored[2]?.fingerprintSource, 'location');
        assert.equal((await store.listFindings({ runId: run.id })).length, 4);
        await store.recordFindings(run.id, 'sast', [finding(5)]);
        assert.deepEqual(
          (await store.listFindings({ runId: run.id, jobKey: 'sast' })).map((f) => f.fingerprint),
          ['fp-5'],
        );
      });

      test('thousands of findings go in batches', async () => {
        const { store } = await backend.fresh(fakeClock(2_000));
        const run = await store.createRun({ pipeline: 'shop', actor: 'alice', trigger: 'cli' });
        await store.recordFindings(
          run.id,
          'sast',
          Array.from({ length: 2_345 }, (_, i) => finding(i)),
        );
        const stored = await store.listFindings({ runId: run.id });
        assert.equal(stored.length, 2_345);
        assert.equal(stored.at(-1)?.fingerprint, 'fp-2344');
      });
    });
  });
}
