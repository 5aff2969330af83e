/**
 * Keeps secrets (webhook URLs, tokens, passwords, HMAC keys) out of error messages: every failure a
 * channel throws passes its text through here first.
 */

/** What a secret is replaced with. */
export const REDACTED = '[redacted]';

/** `text` with every occurrence of each secret (raw or URL-encoded) replaced by `[redacted]`. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (secret.length < 4) continue; // too short to tell from ordinary text
    forms.add(secret);
    forms.add(encodeURIComponent(secret));
    forms.add(encodeURI(secret));
  }
  // Longest first, so a secret containing another one is removed whole.
  let out = text;
  for (const form of [...forms].sort((a, b) => b.length - a.length)) out = out.split(form).join(REDACTED);
  return out;
}

/**
 * A stand-in for a failure caught from a library (fetch, nodemailer, Octokit), keeping its name,
 * `code` and message with the secrets redacted, and dropping everything else (request objects,
 * headers, nested causes) that could hold one.
 */
export function safeCause(error: unknown, secrets: readonly string[]): Error {
  const source = error instanceof Error ? error : new Error(String(error));
  const parts = [source.message];
  // undici reports the socket failure (ECONNREFUSED, ...) one level down, as `cause`.
  const inner = source.cause;
  if (inner instanceof Error && inner.message !== '') parts.push(inner.message);
  const copy = new Error(redactSecrets(parts.join(': '), secrets));
  copy.name = source.name;
  const code = errorCode(source) ?? (inner instanceof Error ? errorCode(inner) : undefined);
  if (code !== undefined) Object.assign(copy, { code });
  copy.stack = `${copy.name}: ${copy.message}`;
  return copy;
}

/** The string `code` of a Node or library error (ECONNREFUSED, EAUTH, ...), if it has one. */
export function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}

/**
 * A URL and the parts of it that are secret on their own (path, query, password): a Slack webhook's
 * token is its path, and a server may quote just the path back.
 */
export function urlSecrets(url: string): readonly string[] {
  try {
    const parsed = new URL(url);
    return [url, parsed.href, parsed.pathname, parsed.search, parsed.password].filter((p) => p.length > 1);
  } catch {
    return [url];
  }
}
