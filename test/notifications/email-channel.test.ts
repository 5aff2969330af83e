/**
 * The email channel against a real SMTP server on 127.0.0.1 offering STARTTLS with a self-signed
 * certificate: the contract suite, then what the mail looks like and how it travelled.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { EmailChannel, type EmailChannelOptions } from '../../src/notifications/email-channel.js';
import { OPENSSL, skipWithout } from '../helpers/outside-program.js';
import {
  assertNoSecret,
  type ChannelHarness,
  closedPort,
  describeChannelContract,
  rejection,
} from './channel-contract.js';
import { DEPLOY_COMPLETED } from './notification-fixtures.js';
import {
  type SmtpReceiver,
  selfSignedCertificate,
  startSmtpReceiver,
  type TestCertificate,
} from './receivers/smtp-receiver.js';

const skip = skipWithout(OPENSSL);
const USER = 'slipway-mailer';
const PASS = 'smtp-password-4f1c9a7e';

function options(port: number, certificate: TestCertificate): EmailChannelOptions {
  return {
    host: '127.0.0.1',
    port,
    secure: false,
    requireTLS: true,
    auth: { user: USER, pass: PASS },
    from: 'Slipway <slipway@example.com>',
    to: ['ops@example.com', 'dev@example.com'],
    timeoutMs: 5_000,
    tlsCa: certificate.cert,
  };
}

async function startHarness(): Promise<ChannelHarness> {
  const certificate = selfSignedCertificate();
  const receiver = await startSmtpReceiver({ certificate, user: USER, pass: PASS });
  return {
    channel: new EmailChannel(options(receiver.port, certificate)),
    secrets: [PASS],
    deliveredKeys: async () =>
      receiver.mails.map((mail) => String(mail.parsed.headers.get('x-slipway-idempotency-key'))),
    failNext: (failure) => receiver.failNext(failure === 'transient' ? 451 : 550),
    unreachableChannel: async () => new EmailChannel(options(await closedPort(), certificate)),
    close: () => receiver.close(),
  };
}

describeChannelContract('email', startHarness, DEPLOY_COMPLETED, skip);

describe('email channel', { skip }, () => {
  let certificate: TestCertificate;
  let receiver: SmtpReceiver;
  before(async () => {
    certificate = selfSignedCertificate();
    receiver = await startSmtpReceiver({ certificate, user: USER, pass: PASS });
  });
  after(async () => {
    await receiver?.close();
  });

  it('sends one mail over STARTTLS with subject, text, HTML and the idempotency headers', async () => {
    const channel = new EmailChannel(options(receiver.port, certificate));
    await channel.send(DEPLOY_COMPLETED, 'deploy-0001/email-1');
    assert.equal(receiver.mails.length, 1);
    const mail = receiver.mails[0]!;
    assert.equal(mail.secure, true, 'the session was not upgraded with STARTTLS');
    assert.equal(mail.user, USER);
    assert.deepEqual(mail.recipients, ['ops@example.com', 'dev@example.com']);
    assert.equal(mail.parsed.subject, '[Slipway] Deploy completed: web deployed to production');
    assert.match(mail.parsed.text ?? '', /Revision 42 of web is serving 100% of production traffic\./);
    assert.match(mail.parsed.text ?? '', /Environment: production/);
    assert.match(mail.parsed.text ?? '', /Details: https:\/\/slipway\.example\.com\/runs\/42/);
    assert.match(
      String(mail.parsed.html),
      /<a href="https:\/\/slipway\.example\.com\/runs\/42">Open in Slipway<\/a>/,
    );
    assert.equal(mail.parsed.headers.get('x-slipway-idempotency-key'), 'deploy-0001/email-1');
    assert.equal(mail.parsed.messageId, '<deploy-0001/email-1@slipway.notifications>');
    assert.equal(mail.parsed.date?.getTime(), DEPLOY_COMPLETED.at);
  });

  it('refuses to send in clear text when STARTTLS is required but not offered', async () => {
    const plain = await startSmtpReceiver({ certificate, user: USER, pass: PASS, offerStartTls: false });
    try {
      const channel = new EmailChannel(options(plain.port, certificate));
      const error = await rejection(channel.send(DEPLOY_COMPLETED, 'deploy-0001/email-plain'));
      assert.equal(error.code, 'BAD_CONFIG');
      assert.equal(error.retryable, false);
      assert.equal(plain.mails.length, 0);
      assertNoSecret(error, [PASS]);
    } finally {
      await plain.close();
    }
  });

  it('fails permanently on a wrong password without showing it', async () => {
    const wrong = 'not-the-password-93b1';
    const channel = new EmailChannel({
      ...options(receiver.port, certificate),
      auth: { user: USER, pass: wrong },
    });
    const error = await rejection(channel.send(DEPLOY_COMPLETED, 'deploy-0001/email-wrong'));
    assert.equal(error.code, 'BAD_CONFIG');
    assertNoSecret(error, [wrong]);
  });

  it('does not trust the self-signed server without its certificate', async () => {
    const { tlsCa: _trusted, ...untrusting } = options(receiver.port, certificate);
    const channel = new EmailChannel(untrusting);
    const before = receiver.mails.length;
    const error = await rejection(channel.send(DEPLOY_COMPLETED, 'deploy-0001/email-untrusted'));
    assert.equal(error.retryable, false, `${error.code}: ${error.message}`);
    assert.equal(receiver.mails.length, before);
  });
});
