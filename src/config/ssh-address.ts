/**
 * Host addresses of `hosts:` written `ssh://[user@]host[:port]`, parsed once, here, into the
 * parts the SSH transport needs. The host is an IPv4 literal, a bracketed IPv6 literal or a DNS name.
 */
import { isIPv4, isIPv6 } from 'node:net';

/** An SSH address split into its parts; an IPv6 host is kept without its brackets. */
export interface SshAddress {
  readonly user?: string;
  readonly host: string;
  readonly port?: number;
}

/** The result of parsing an address: its parts, or why it is malformed (a sentence for the user). */
export type SshAddressResult =
  | { readonly ok: true; readonly address: SshAddress }
  | { readonly ok: false; readonly problem: string };

const USER_RE = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;
const LABEL_RE = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
const EXAMPLE = 'write ssh://[user@]host[:port], e.g. ssh://deploy@10.1.0.11:2222';

/** Parses `ssh://[user@]host[:port]`; never throws. */
export function parseSshAddress(text: string): SshAddressResult {
  const bad = (problem: string): SshAddressResult => ({ ok: false, problem });
  if (!text.startsWith('ssh://')) return bad(`expected an ssh:// address, got '${text}' (${EXAMPLE})`);
  let rest = text.slice('ssh://'.length);
  if (rest.endsWith('/')) rest = rest.slice(0, -1);
  if (rest.includes('/'))
    return bad(`an address has no path, got '${text}' (the folder on the host goes in \`dir\`)`);
  let user: string | undefined;
  const at = rest.lastIndexOf('@');
  if (at >= 0) {
    user = rest.slice(0, at);
    rest = rest.slice(at + 1);
    if (user.includes(':'))
      return bad(`an address holds no password, got '${text}' (Slipway signs in with SSH keys)`);
    if (!USER_RE.test(user)) return bad(`invalid user '${user}' in '${text}' (${EXAMPLE})`);
  }
  let host = rest;
  let portText: string | undefined;
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    host = close > 0 ? rest.slice(1, close) : '';
    const after = close > 0 ? rest.slice(close + 1) : '';
    if (!isIPv6(host) || (after !== '' && !after.startsWith(':')))
      return bad(`invalid IPv6 address in '${text}' (write it in brackets, e.g. ssh://[2001:db8::1]:22)`);
    if (after !== '') portText = after.slice(1);
  } else {
    const colon = rest.indexOf(':');
    if (colon >= 0) {
      host = rest.slice(0, colon);
      portText = rest.slice(colon + 1);
      if (portText.includes(':'))
        return bad(`an IPv6 address goes in brackets, got '${text}' (e.g. ssh://[2001:db8::1]:22)`);
    }
    if (!isHostName(host)) return bad(`invalid host '${host}' in '${text}' (${EXAMPLE})`);
  }
  let port: number | undefined;
  if (portText !== undefined) {
    port = /^\d{1,5}$/.test(portText) ? Number(portText) : Number.NaN;
    if (!(port >= 1 && port <= 65535))
      return bad(`invalid port '${portText}' in '${text}' (a port is a number from 1 to 65535)`);
  }
  return {
    ok: true,
    address: { ...(user !== undefined ? { user } : {}), host, ...(port !== undefined ? { port } : {}) },
  };
}

// An IPv4 literal, or a DNS name whose labels are letters, digits and inner hyphens.
function isHostName(host: string): boolean {
  if (/^[\d.]+$/.test(host)) return isIPv4(host);
  return host.length > 0 && host.length <= 253 && host.split('.').every((label) => LABEL_RE.test(label));
}
