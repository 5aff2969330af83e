/**
 * A real SMTP server on 127.0.0.1 (smtp-server) that offers STARTTLS with a self-signed certificate
 * made by the openssl CLI, requires a login over TLS, and keeps every accepted mail parsed
 * (mailparser) with whether its session was encrypted.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** A key and a self-signed certificate for 127.0.0.1, PEM. */
export interface TestCertificate {
  readonly key: string;
  readonly cert: string;
}

/** Makes a one-day self-signed certificate for 127.0.0.1 and localhost with the openssl CLI. */
export function selfSignedCertificate(): TestCertificate {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-smtp-cert-'));
  try {
    const key = join(dir, 'key.pem');
    const cert = join(dir, 'cert.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
      ],
      { stdio: 'pipe' },
    );
    return { key: readFileSync(key, 'utf8'), cert: readFileSync(cert, 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One accepted mail. */
export interface ReceivedMail {
  readonly parsed: ParsedMail;
  /** True when the session had been upgraded with STARTTLS before the mail was sent. */
  readonly secure: boolean;
  readonly user: string | undefined;
  readonly recipients: readonly string[];
}

/** A running SMTP receiver. */
export interface SmtpReceiver {
  readonly port: number;
  readonly mails: ReceivedMail[];
  /** Answers the next mail's data with this SMTP reply code (451: try later, 550: refused). */
  failNext(responseCode: number): void;
  close(): Promise<void>;
}

/** Starts a receiver accepting the login `user`/`pass`; `offerStartTls: false` hides STARTTLS. */
export async function startSmtpReceiver(options: {
  readonly certificate: TestCertificate;
  readonly user: string;
  readonly pass: string;
  readonly offerStartTls?: boolean;
}): Promise<SmtpReceiver> {
  const mails: ReceivedMail[] = [];
  const failures: number[] = [];
  const server = new SMTPServer({
    secure: false,
    key: options.certificate.key,
    cert: options.certificate.cert,
    disabledCommands: options.offerStartTls === false ? ['STARTTLS'] : [],
    allowInsecureAuth: options.offerStartTls === false,
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === options.user && auth.password === options.pass)
        return callback(null, { user: auth.username });
      return callback(new Error('Invalid username or password'));
    },
    onData(stream, session, callback) {
      const failure = failures.shift();
      simpleParser(stream).then(
        (parsed) => {
          if (failure !== undefined) {
            return callback(
              Object.assign(new Error(`Scripted failure ${failure}`), { responseCode: failure }),
            );
          }
          mails.push({
            parsed,
            secure: session.secure,
            user: typeof session.user === 'string' ? session.user : undefined,
            recipients: session.envelope.rcptTo.map((to) => to.address),
          });
          callback();
        },
        (error: Error) => callback(error),
      );
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    port,
    mails,
    failNext: (code) => {
      failures.push(code);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
