/**
 * Turns ssh's own failure (exit status 255 and its stderr) into a typed error naming the host. Pure:
 * tested as data against the messages OpenSSH prints.
 */
import { SshError } from './errors.js';
import { describeTarget, type SshTarget } from './ssh-target.js';

/** Which known_hosts file a message should name. */
function knownHostsOf(target: SshTarget): string {
  return target.knownHostsFile ?? 'your known_hosts (~/.ssh/known_hosts unless ~/.ssh/config says otherwise)';
}

/** The lines of ssh's stderr worth repeating: without the banner of '@' lines and blank lines. */
export function sshLastWords(stderr: string): string {
  return stderr
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('@@@'))
    .slice(-3)
    .join(' ');
}

const CHANGED = /REMOTE HOST IDENTIFICATION HAS CHANGED|Host key for .* has changed/;
const UNKNOWN = /No \S+ host key is known for|Host key verification failed/;
const AUTH = /Permission denied \(|Too many authentication failures/;
const UNREACHABLE =
  /connect to host .* port \d+: |Connection timed out during banner exchange|Could not resolve hostname|kex_exchange_identification|Connection closed by .* port \d+|Connection reset by/;
const LOST =
  /Timeout, server .* not responding|Broken pipe|closed by remote host|client_loop: |mux_client_request_session/;

/** The typed error for an ssh that exited 255 with `stderr`, before or while talking to `target`. */
export function classifySshFailure(target: SshTarget, stderr: string): SshError {
  const who = describeTarget(target);
  const said = sshLastWords(stderr);
  const options = { sshMessage: stderr.trim() };
  if (CHANGED.test(stderr)) {
    const offending = /Offending .* key in \S+/.exec(stderr)?.[0];
    return new SshError(
      'SSH_HOST_KEY_CHANGED',
      target.name,
      `Refusing to connect to ${who}: its host key differs from the one recorded in ${knownHostsOf(target)}. ` +
        'Someone may be intercepting the connection, or the host was reinstalled. If you know the new key is ' +
        `right, remove the old one (ssh-keygen -R ${target.host}) and run \`slipway host trust ${target.name}\`. ` +
        `ssh said: ${offending ?? said}`,
      options,
    );
  }
  if (UNKNOWN.test(stderr)) {
    return new SshError(
      'SSH_HOST_KEY_UNKNOWN',
      target.name,
      `Host ${who} is not trusted yet: its host key is not in ${knownHostsOf(target)}. ` +
        `Run \`slipway host trust ${target.name}\` to check its fingerprint and record it.`,
      options,
    );
  }
  if (AUTH.test(stderr)) {
    const user = target.user === undefined ? '' : ` as ${target.user}`;
    return new SshError(
      'SSH_AUTH_FAILED',
      target.name,
      `Could not log in to ${who}${user}: ${said}. Check the key (ssh-agent, IdentityFile) and the host's authorized_keys.`,
      options,
    );
  }
  if (UNREACHABLE.test(stderr)) {
    return new SshError('SSH_HOST_UNREACHABLE', target.name, `Cannot reach host ${who}: ${said}`, options);
  }
  if (LOST.test(stderr)) {
    return new SshError(
      'SSH_CONNECTION_LOST',
      target.name,
      `Lost the connection to ${who}: ${said}`,
      options,
    );
  }
  return new SshError(
    'SSH_FAILED',
    target.name,
    `ssh to ${who} failed: ${said === '' ? 'no message' : said}`,
    options,
  );
}
