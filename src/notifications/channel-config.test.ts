import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inspect } from 'node:util';
import { channelConfigSchema, createChannel, subscribes } from './channel-config.js';
import { TRIGGERS } from './notification.js';

const deps = { now: () => 0 };
const SECRETS = {
  slack: 'https://hooks.slack.com/services/T0/B0/secretTokenValue1',
  hmac: 'hmac-secret-value-0123456789',
  pass: 'smtp-secret-pass-77',
  token: 'ghp_secretTokenValue0000000000',
};

describe('channelConfigSchema', () => {
  it('fills the defaults: every trigger, a 10 s timeout, STARTTLS required on 587', () => {
    const slack = channelConfigSchema.parse({ kind: 'slack', webhookUrl: SECRETS.slack });
    assert.deepEqual(slack, {
      kind: 'slack',
      webhookUrl: SECRETS.slack,
      triggers: [...TRIGGERS],
      timeout: 10_000,
    });
    const email = channelConfigSchema.parse({
      kind: 'email',
      host: 'smtp.example.com',
      from: 'a@x',
      to: ['b@x'],
    });
    assert.equal(email.kind === 'email' && email.port, 587);
    assert.equal(email.kind === 'email' && email.requireTLS, true);
    const github = channelConfigSchema.parse({ kind: 'github', token: SECRETS.token, timeout: '3s' });
    assert.equal(github.kind === 'github' && github.baseUrl, 'https://api.github.com');
    assert.equal(github.timeout, 3_000);
    assert.equal(subscribes(github, 'health.degraded'), false);
    assert.equal(subscribes(github, 'deploy.completed'), true);
    // Code scanning is an option, off by default, not a trigger to name.
    assert.equal(subscribes(github, 'findings.recorded'), false);
    const scanning = channelConfigSchema.parse({ kind: 'github', token: SECRETS.token, codeScanning: true });
    assert.equal(subscribes(scanning, 'findings.recorded'), true);
    assert.equal(subscribes(scanning, 'deploy.completed'), true);
    assert.equal(subscribes(slack, 'findings.recorded'), false);
  });

  it('refuses unknown fields, bad URLs, and triggers GitHub has no place for', () => {
    assert.equal(channelConfigSchema.safeParse({ kind: 'slack', webhookUrl: 'ftp://x/y' }).success, false);
    assert.equal(
      channelConfigSchema.safeParse({ kind: 'slack', webhookUrl: SECRETS.slack, extra: 1 }).success,
      false,
    );
    const github = channelConfigSchema.safeParse({
      kind: 'github',
      token: 't',
      triggers: ['health.degraded'],
    });
    assert.equal(github.success, false);
  });

  it('keeps secrets out of the issues of a failed parse', () => {
    const result = channelConfigSchema.safeParse({ kind: 'webhook', url: 'not a url', secret: SECRETS.hmac });
    assert.equal(result.success, false);
    assert.ok(!JSON.stringify(result.error?.issues).includes(SECRETS.hmac));
  });
});

describe('createChannel', () => {
  it('builds each kind, and none shows its secrets in JSON, toString or inspect', () => {
    const configs = [
      { kind: 'slack', webhookUrl: SECRETS.slack },
      { kind: 'webhook', url: 'https://example.com/hook', secret: SECRETS.hmac },
      {
        kind: 'email',
        host: 'smtp.example.com',
        from: 'a@x',
        to: ['b@x'],
        auth: { user: 'u', pass: SECRETS.pass },
      },
      { kind: 'github', token: SECRETS.token },
    ];
    for (const input of configs) {
      const channel = createChannel(channelConfigSchema.parse(input), deps);
      assert.equal(channel.kind, input.kind);
      for (const form of [
        JSON.stringify(channel),
        String(channel),
        inspect(channel, { depth: 10, showHidden: true }),
      ])
        for (const secret of Object.values(SECRETS))
          assert.ok(!form.includes(secret), `${input.kind}: ${form}`);
    }
  });
});
