/** Dependency URLs: `${VAR}` expansion from the service's environment, and masking for display. */

const PLACEHOLDER = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;
const MASK = '***';

/** The expanded URL, or the names of the variables it needs that are unset. */
export type ExpandedUrl =
  | { readonly ok: true; readonly url: string }
  | { readonly ok: false; readonly missing: readonly string[] };

/** Replaces every `${NAME}` with `env.NAME`; an unset or empty variable makes the URL unusable. */
export function expandVars(template: string, env: Readonly<Record<string, string | undefined>>): ExpandedUrl {
  const missing: string[] = [];
  const url = template.replace(PLACEHOLDER, (_whole, name: string) => {
    const value = env[name];
    if (value === undefined || value === '') {
      if (!missing.includes(name)) missing.push(name);
      return '';
    }
    return value;
  });
  return missing.length === 0 ? { ok: true, url } : { ok: false, missing };
}

/**
 * The URL with its password (and any `password=` query parameter) replaced by `***`, safe to show
 * in reports. A `${VAR}` placeholder is kept, since it names the secret rather than holding it.
 */
export function maskUrl(raw: string): string {
  const userinfo = /^([a-z][a-z0-9+.-]*:\/\/[^/?#@:]*:)([^/?#]*)@/i;
  let masked = raw.replace(userinfo, (whole, head: string, password: string) =>
    password === '' || isPlaceholder(password) ? whole : `${head}${MASK}@`,
  );
  masked = masked.replace(/([?&]password=)([^&#]*)/gi, (whole, head: string, password: string) =>
    password === '' || isPlaceholder(password) ? whole : `${head}${MASK}`,
  );
  return masked;
}

function isPlaceholder(text: string): boolean {
  return /^\$\{[A-Za-z_][A-Za-z0-9_]*\}$/.test(text);
}

/** The URL's host without IPv6 brackets, `localhost` when the URL names none. */
export function urlHost(url: URL): string {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return host === '' ? 'localhost' : host;
}
