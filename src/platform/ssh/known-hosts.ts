/** The known_hosts format: the name a host is recorded under, hashed or plain lines, scanned keys. Pure. */
import { createHmac, randomBytes } from 'node:crypto';

/** One public host key, as ssh-keyscan prints it and known_hosts stores it. */
export interface PublicHostKey {
  /** The key type, e.g. `ssh-ed25519`, `ecdsa-sha2-nistp256`, `ssh-rsa`. */
  readonly type: string;
  /** The key itself, base64. */
  readonly key: string;
}

/** The name ssh looks a host up by: a HostKeyAlias, else `host`, or `[host]:port` off port 22. */
export function knownHostsName(hostname: string, port: number, hostKeyAlias?: string | undefined): string {
  if (hostKeyAlias !== undefined && hostKeyAlias !== '' && hostKeyAlias !== 'none') return hostKeyAlias;
  return port === 22 ? hostname : `[${hostname}]:${port}`;
}

/** OpenSSH's hashed host name (`HashKnownHosts yes`): `|1|` base64(salt) `|` base64(HMAC-SHA1(salt, name)). */
export function hashHostName(name: string, salt: Buffer = randomBytes(20)): string {
  const hash = createHmac('sha1', salt).update(name).digest('base64');
  return `|1|${salt.toString('base64')}|${hash}`;
}

/** One known_hosts line for `key` of host `name`, its name hashed with a fresh salt when `hashed`. */
export function knownHostsLine(name: string, key: PublicHostKey, hashed: boolean): string {
  return `${hashed ? hashHostName(name) : name} ${key.type} ${key.key}`;
}

/** The keys of ssh-keyscan's output (or of known_hosts lines): `name type key`, comments skipped. */
export function parseHostKeyLines(text: string): PublicHostKey[] {
  const keys: PublicHostKey[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const fields = line.split(/\s+/);
    // A marker (@cert-authority, @revoked) comes first; such lines are not plain host keys.
    if (fields[0]?.startsWith('@')) continue;
    const [, type, key] = fields;
    if (type !== undefined && key !== undefined) keys.push({ type, key });
  }
  return keys;
}

/** One line of `ssh-keygen -l -E sha256`: bits, `SHA256:...` and the type in parentheses. */
export interface KeygenFingerprint {
  readonly bits: number;
  readonly fingerprint: string;
  /** As ssh-keygen names it: `ED25519`, `ECDSA`, `RSA`. */
  readonly label: string;
}

/** Parses `ssh-keygen -l` output, one entry per key, in input order. */
export function parseFingerprints(text: string): KeygenFingerprint[] {
  const out: KeygenFingerprint[] = [];
  for (const line of text.split('\n')) {
    const match = /^(\d+)\s+(SHA256:\S+)\s.*\(([^()]+)\)\s*$/.exec(line.trim());
    if (match?.[1] && match[2] && match[3])
      out.push({ bits: Number(match[1]), fingerprint: match[2], label: match[3] });
  }
  return out;
}

/** True when both name the same key. */
export function sameKey(a: PublicHostKey, b: PublicHostKey): boolean {
  return a.type === b.type && a.key === b.key;
}
