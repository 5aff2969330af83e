import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ResolvedProtection } from '../../config/resolved.js';
import { approvalRefusal, type GateFacts, judgeGate } from './gate-rules.js';

const SHA = 'abc1234def5678abc1234def5678abc1234def56';

const facts = (protection: Partial<ResolvedProtection>, extra: Partial<GateFacts> = {}): GateFacts => ({
  environment: 'production',
  protection: { requiredStages: [], ...protection },
  runId: 7,
  branch: 'main',
  commitSha: SHA,
  stages: [],
  ...extra,
});

const messages = (f: GateFacts) => judgeGate(f).violations.map((v) => v.message);

test('branches: globs keep `*` within one segment, `**` crosses them; no branch is a violation', () => {
  const branches = ['main', 'release/*', 'hotfix/**'];
  for (const branch of ['main', 'release/1.2', 'hotfix/a/b'])
    assert.deepEqual(messages(facts({ branches }, { branch })), [], branch);
  assert.deepEqual(messages(facts({ branches }, { branch: 'release/1.2/x' })), [
    "protection rule 'branches' of production: branch 'release/1.2/x' is not allowed (allowed: main, release/*, hotfix/**)",
  ]);
  assert.deepEqual(messages(facts({ branches }, { branch: null })), [
    "protection rule 'branches' of production: the run has no branch (a detached HEAD or no git repository); allowed: main, release/*, hotfix/**",
  ]);
  assert.deepEqual(judgeGate(facts({ branches })).passed, ["branch 'main' is allowed"]);
});

test('required stages: passed here or in an earlier run of the commit; otherwise how it ended here', () => {
  const judged = judgeGate(
    facts(
      { requiredStages: ['security', 'test', 'lint'] },
      {
        stages: [
          { stage: 'security', status: 'passed', runId: 7 },
          { stage: 'test', status: 'passed', runId: 3 },
          { stage: 'lint', status: 'missing', here: "job 'eslint' ended failure in this run" },
        ],
      },
    ),
  );
  assert.deepEqual(judged.passed, [
    "stage 'security' passed in this run",
    "stage 'test' passed on commit abc1234 in run 3",
  ]);
  assert.deepEqual(
    judged.violations.map((v) => [v.rule, v.message]),
    [
      [
        'requiredStages',
        "protection rule 'requiredStages' of production: stage 'lint' has not passed on commit abc1234: job 'eslint' ended failure in this run, nor in an earlier run of the commit",
      ],
    ],
  );
  assert.deepEqual(
    messages(
      facts(
        { requiredStages: ['lint'] },
        {
          commitSha: null,
          stages: [{ stage: 'lint', status: 'missing', here: 'it was not part of this run' }],
        },
      ),
    ),
    [
      "protection rule 'requiredStages' of production: stage 'lint' has not passed: it was not part of this run (the run has no commit, so earlier runs cannot count)",
    ],
  );
});

test('signed commits: each verdict has its message, naming the file it was checked against', () => {
  const signedCommits = { allowedSigners: '.slipway/allowed_signers' };
  const verdict = (signature: GateFacts['signature'], keyring?: string) =>
    messages(
      facts(
        { signedCommits: keyring ? { ...signedCommits, gpgKeyring: keyring } : signedCommits },
        signature ? { signature } : {},
      ),
    );
  assert.deepEqual(verdict({ status: 'unsigned' }), [
    "protection rule 'signedCommits' of production: commit abc1234 is not signed",
  ]);
  assert.deepEqual(verdict({ status: 'unknown_key', format: 'ssh', key: 'ED25519 key SHA256:xyz' }), [
    "protection rule 'signedCommits' of production: commit abc1234 is signed by SSH ED25519 key SHA256:xyz, which is not in .slipway/allowed_signers",
  ]);
  assert.deepEqual(verdict({ status: 'unknown_key', format: 'gpg', key: 'GPG key 9942FD2E' }), [
    "protection rule 'signedCommits' of production: commit abc1234 is signed by GPG key 9942FD2E, which is not in the runner's GPG keyring",
  ]);
  assert.deepEqual(
    verdict({ status: 'unknown_key', format: 'gpg', key: 'GPG key 9942FD2E' }, 'trusted.gpg'),
    [
      "protection rule 'signedCommits' of production: commit abc1234 is signed by GPG key 9942FD2E, which is not in trusted.gpg",
    ],
  );
  assert.deepEqual(verdict({ status: 'bad', format: 'ssh', reason: 'incorrect signature' }), [
    "protection rule 'signedCommits' of production: commit abc1234 has a bad signature: incorrect signature",
  ]);
  assert.deepEqual(verdict({ status: 'unverifiable', reason: 'ssh-keygen: not found' }), [
    "protection rule 'signedCommits' of production: the signature of commit abc1234 could not be verified: ssh-keygen: not found",
  ]);
  assert.deepEqual(verdict(undefined), [
    "protection rule 'signedCommits' of production: the run has no commit to verify (not a git repository)",
  ]);
  assert.deepEqual(
    judgeGate(
      facts({ signedCommits }, { signature: { status: 'good', format: 'ssh', signer: 'alice (key)' } }),
    ),
    { violations: [], passed: ['commit abc1234 is signed by alice (key)'] },
  );
});

test('every broken rule is reported, in the order branches, stages, signature', () => {
  const judged = judgeGate(
    facts(
      { branches: ['main'], requiredStages: ['security'], signedCommits: { allowedSigners: 'a' } },
      {
        branch: 'dev',
        stages: [{ stage: 'security', status: 'missing', here: 'it was not part of this run' }],
        signature: { status: 'unsigned' },
      },
    ),
  );
  assert.deepEqual(
    judged.violations.map((v) => v.rule),
    ['branches', 'requiredStages', 'signedCommits'],
  );
});

test('approvals: the starter is refused under excludeStarter, a second approval by one actor always', () => {
  const attempt = {
    environment: 'production',
    approvers: { required: 2, excludeStarter: true },
    runId: 5,
    starter: 'carol',
    actor: 'carol',
    approvedBy: [] as string[],
  };
  assert.deepEqual(approvalRefusal(attempt), {
    rule: 'approvers.excludeStarter',
    message:
      "protection rule 'approvers.excludeStarter' of production: carol started run 5, so another approver must approve it",
  });
  assert.equal(approvalRefusal({ ...attempt, approvers: { required: 2, excludeStarter: false } }), undefined);
  assert.equal(approvalRefusal({ ...attempt, actor: 'alice' }), undefined);
  assert.deepEqual(approvalRefusal({ ...attempt, actor: 'alice', approvedBy: ['alice'] }), {
    rule: 'approvers.required',
    message:
      "protection rule 'approvers.required' of production: needs 2 distinct approvers, and alice already approved (1 of 2)",
  });
});
