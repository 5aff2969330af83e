/**
 * Handshakes with an HTTPS endpoint to see its TLS as a client would: the version negotiated when
 * every version is offered, whether the certificate chain is trusted and covers the hostname, its
 * validity, and whether a version older than the minimum is accepted when offered alone. Nothing is
 * rejected on the way, so each problem can be reported by itself (see `tlsFindings`).
 */
import { isIP } from 'node:net';
import tls from 'node:tls';
import type { TlsObservation } from './security-rules.js';

/** Where and how to handshake. */
export interface TlsProbeTarget {
  readonly host: string;
  readonly port: number;
  /** The name the certificate must cover (also the server name sent, unless it is an address). */
  readonly hostname: string;
  /** PEM certificates of authorities trusted besides the system ones. */
  readonly ca?: string;
  readonly timeoutMs: number;
}

/** What the handshake showed, or why there was none. */
export type TlsProbeResult =
  | { readonly ok: true; readonly observation: TlsObservation }
  | { readonly ok: false; readonly message: string };

type Handshake =
  | { readonly ok: true; readonly socket: tls.TLSSocket }
  | { readonly ok: false; readonly message: string };

/** Handshakes with every version offered, then (when `older` is given) with `older` alone. */
export async function probeTls(target: TlsProbeTarget, older?: string): Promise<TlsProbeResult> {
  const endpoint = `${target.host.includes(':') ? `[${target.host}]` : target.host}:${target.port}`;
  const first = await handshake(target, { minVersion: 'TLSv1' });
  if (!first.ok) return { ok: false, message: `TLS handshake with ${endpoint} failed: ${first.message}` };
  const { socket } = first;
  const cert = socket.getPeerCertificate();
  const protocol = socket.getProtocol() ?? 'unknown';
  const untrusted = socket.authorized ? undefined : String(socket.authorizationError ?? 'unknown reason');
  socket.destroy();
  const mismatch = tls.checkServerIdentity(target.hostname, cert);
  const acceptedOlder =
    older === undefined ? undefined : await acceptsOnly(target, older as tls.SecureVersion);
  const names = [
    cert.subject?.CN ? `CN=${cert.subject.CN}` : undefined,
    cert.subjectaltname ? cert.subjectaltname : undefined,
  ].filter((part) => part !== undefined);
  return {
    ok: true,
    observation: {
      endpoint,
      hostname: target.hostname,
      protocol,
      ...(untrusted !== undefined ? { untrusted } : {}),
      ...(mismatch !== undefined ? { hostnameMismatch: mismatch.message } : {}),
      subject: names.join('; ') || 'no names',
      validFrom: Date.parse(cert.valid_from),
      validTo: Date.parse(cert.valid_to),
      ...(acceptedOlder !== undefined ? { acceptedOlder } : {}),
    },
  };
}

/** `version` when the endpoint completes a handshake offering only it; undefined when it refuses. */
async function acceptsOnly(target: TlsProbeTarget, version: tls.SecureVersion): Promise<string | undefined> {
  const result = await handshake(target, { minVersion: 'TLSv1', maxVersion: version });
  if (!result.ok) return undefined;
  const negotiated = result.socket.getProtocol() ?? version;
  result.socket.destroy();
  return negotiated;
}

function handshake(
  target: TlsProbeTarget,
  versions: { readonly minVersion: tls.SecureVersion; readonly maxVersion?: tls.SecureVersion },
): Promise<Handshake> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (result: Handshake) => {
      if (settled) {
        if (result.ok) result.socket.destroy();
        return;
      }
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    let socket: tls.TLSSocket;
    try {
      socket = tls.connect({
        host: target.host,
        port: target.port,
        ...(isIP(target.hostname) === 0 ? { servername: target.hostname } : {}),
        ...(target.ca !== undefined ? { ca: [...tls.rootCertificates, target.ca] } : {}),
        ...versions,
        // Old versions need the legacy ciphers and signatures: offering them is how they are found.
        ciphers: 'DEFAULT@SECLEVEL=0',
        rejectUnauthorized: false,
        // The hostname is checked by itself (checkServerIdentity), apart from the chain's trust.
        checkServerIdentity: () => undefined,
      });
    } catch (error) {
      resolve({ ok: false, message: (error as Error).message });
      return;
    }
    const timer = setTimeout(() => {
      socket.destroy();
      done({ ok: false, message: `no handshake within ${target.timeoutMs} ms` });
    }, target.timeoutMs);
    socket.once('secureConnect', () => done({ ok: true, socket }));
    socket.on('error', (error: NodeJS.ErrnoException) =>
      done({ ok: false, message: firstLine(error.code ?? '', error.message) }),
    );
  });
}

// OpenSSL's messages carry a source location after the reason; the code and the reason are enough.
function firstLine(code: string, message: string): string {
  const reason = /:([^:]+):[^:]*\.c:\d+/.exec(message)?.[1] ?? message.split('\n')[0] ?? message;
  return code && !reason.includes(code) ? `${reason} (${code})` : reason;
}
