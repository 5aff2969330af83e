// An email notification from a running server, through its outbox, to a real SMTP server
// (smtp-server) that offers STARTTLS with its own certificate and wants a login.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { OPENSSL, skipWithout } from '../helpers/outside-program.js';
import {
  type SmtpReceiver,
  selfSignedCertificate,
  startSmtpReceiver,
} from '../notifications/receivers/smtp-receiver.js';
import { type Harness, startServer, tempProject, waitFor } from './helpers/server-harness.js';

const PASSWORD = 'smtp-password-for-the-test';

describe('email notifications from slipway server', { timeout: 60_000, skip: skipWithout(OPENSSL) }, () => {
  let h: Harness;
  let smtp: SmtpReceiver;

  before(async () => {
    const certificate = selfSignedCertificate();
    smtp = await startSmtpReceiver({ certificate, user: 'slipway', pass: PASSWORD });
    const project = await tempProject(
      [
        'version: 1',
        'gitops:',
        '  repository: { url: desired }',
        '  notifications:',
        '    email:',
        `      { host: 127.0.0.1, port: ${smtp.port}, user: slipway, password: SMTP_PASSWORD, ca: smtp-ca.pem,`,
        "        from: 'Slipway <slipway@example.com>', to: [ops@example.com], triggers: [rollout.rolledback] }",
        '',
      ].join('\n'),
    );
    writeFileSync(join(project, 'smtp-ca.pem'), certificate.cert);
    h = await startServer(project, undefined, {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, SMTP_PASSWORD: PASSWORD },
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
  });
  after(async () => {
    await h?.close();
    await smtp?.close();
  });

  test('a rollback reaches the mailbox once, over STARTTLS, with the idempotency key', async () => {
    const event = await h.store.appendEvent({
      type: 'service.rolledback',
      actor: 'slipway',
      service: 'web',
      environment: 'prod',
      data: { reason: 'error rate 7% over 1%', revision: 'r-000000000001' },
    });
    const mail = await waitFor('the mail', async () => smtp.mails[0], 20_000);
    assert.equal(mail.secure, true, 'sent over TLS');
    assert.equal(mail.user, 'slipway');
    assert.deepEqual(mail.recipients, ['ops@example.com']);
    assert.match(mail.parsed.subject ?? '', /Rolled back: web@prod/);
    assert.match(mail.parsed.text ?? '', /error rate 7% over 1%/);
    assert.equal(mail.parsed.headers.get('x-slipway-idempotency-key'), `event-${event.id}/email`);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.equal(smtp.mails.length, 1, 'once');
    assert.doesNotMatch(JSON.stringify(await h.store.listNotificationDeliveries({})), new RegExp(PASSWORD));
  });
});
