import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { formatDiagnostic } from './diagnostic.js';
import { loadConfigText } from './load-config.js';

const config = (protection: string, extra = '') => `version: 1
project: { name: shop }
jobs:
  build: { run: "true" }
  scan: { run: "true" }
pipeline:
  stages:
    - name: build
      parallel: [build]
    - name: deploy
      environments:
        - staging: { approval: auto, run: "true" }
        - production: { approval: manual_approval, run: "true" }
    - name: security
      parallel: [scan]
environments:
  production:
${protection}${extra}`;

function diagnosticsOf(dir: string, text: string): string[] {
  return loadConfigText(text, 'shop', { dir, file: 'slipway.yaml' }).diagnostics.map((d) =>
    formatDiagnostic('slipway.yaml', d),
  );
}

function inTempDir(fn: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-protection-rules-'));
  try {
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('protection resolves with its defaults; an environment without one has none', () => {
  inTempDir((dir) => {
    writeFileSync(join(dir, 'allowed_signers'), '');
    const result = loadConfigText(
      config(`    protection:
      requiredStages: [build, build]
      approvers: { required: 2 }
      branches: [main, "release/*"]
      signedCommits: { allowedSigners: allowed_signers }
`),
      'shop',
      { dir, file: 'slipway.yaml' },
    );
    assert.deepEqual(result.diagnostics, []);
    assert.deepEqual(result.config?.environments.production?.protection, {
      requiredStages: ['build'],
      approvers: { required: 2, excludeStarter: false },
      branches: ['main', 'release/*'],
      signedCommits: { allowedSigners: 'allowed_signers' },
    });
    const plain = loadConfigText('environments:\n  staging: {}\n');
    assert.equal(plain.config?.environments.staging?.protection, undefined);
  });
});

test('required stages must exist and run before the stage that deploys the environment; at file:line:col', () => {
  inTempDir((dir) => {
    assert.deepEqual(
      diagnosticsOf(
        dir,
        config(`    protection:
      requiredStages: [biuld, deploy, security]
`),
      ),
      [
        "slipway.yaml:19:24: error: environments.production.protection.requiredStages[0]: unknown stage 'biuld' (did you mean 'build'?)",
        "slipway.yaml:19:31: error: environments.production.protection.requiredStages[1]: stage 'deploy' is the stage that deploys 'production': a required stage must run before it",
        "slipway.yaml:19:39: error: environments.production.protection.requiredStages[2]: stage 'security' runs after 'deploy', which deploys 'production': a required stage must run before it",
      ],
    );
  });
});

test('approvers: at least 1, not beside `approval`, and a warning without a manual gate', () => {
  inTempDir((dir) => {
    assert.deepEqual(
      diagnosticsOf(
        dir,
        config(`    protection:
      approvers: { required: 0 }
`),
      ),
      [
        'slipway.yaml:19:30: error: environments.production.protection.approvers.required: must be at least 1, got number 0',
      ],
    );
    assert.deepEqual(
      diagnosticsOf(
        dir,
        config(`    approval: { preventSelfApproval: true }
    protection:
      approvers: { required: 2, excludeStarter: true }
`),
      ),
      [
        "slipway.yaml:20:7: error: environments.production.protection.approvers: set either `approval` or `protection.approvers` on 'production', not both: `protection.approvers` (required, excludeStarter) replaces `approval` (required, preventSelfApproval)",
      ],
    );
    assert.deepEqual(
      diagnosticsOf(
        dir,
        config(
          '    {}\n',
          `  staging:
    protection:
      approvers: { required: 2 }
`,
        ),
      ),
      [
        "slipway.yaml:21:7: warning: environments.staging.protection.approvers: 'staging' has no manual_approval gate in the pipeline, so `approvers` never applies",
      ],
    );
  });
});

test('a protected environment no deploy stage deploys is a warning', () => {
  inTempDir((dir) => {
    assert.deepEqual(
      diagnosticsOf(
        dir,
        config(
          '    {}\n',
          `  qa:
    protection: { branches: [main] }
`,
        ),
      ),
      [
        "slipway.yaml:20:5: warning: environments.qa.protection: no deploy stage deploys 'qa', so its protection is never checked (it applies at pipeline deploy gates)",
      ],
    );
  });
});

test('signedCommits: the allowed-signers file and the GPG keyring must exist, relative to the config', () => {
  inTempDir((dir) => {
    assert.deepEqual(
      diagnosticsOf(
        dir,
        config(`    protection:
      signedCommits: { allowedSigners: .slipway/allowed_signers, gpgKeyring: keys/trusted.gpg }
`),
      ),
      [
        "slipway.yaml:19:40: error: environments.production.protection.signedCommits.allowedSigners: the allowed-signers file '.slipway/allowed_signers' does not exist or is not a file (paths are relative to slipway.yaml's directory)",
        "slipway.yaml:19:78: error: environments.production.protection.signedCommits.gpgKeyring: the GPG keyring 'keys/trusted.gpg' does not exist or is not a file (paths are relative to slipway.yaml's directory)",
      ],
    );
    writeFileSync(join(dir, 'trusted.gpg'), '');
    const outside = join(dir, 'allowed_signers');
    writeFileSync(outside, '');
    assert.deepEqual(
      diagnosticsOf(
        dir,
        config(`    protection:
      signedCommits: { allowedSigners: ${outside}, gpgKeyring: trusted.gpg }
`),
      ),
      [],
      'an absolute path is taken as it is',
    );
  });
});
