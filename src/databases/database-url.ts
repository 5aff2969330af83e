/** A declared database URL with its `${NAME}` secrets filled in. */
import { DatabaseError } from './errors.js';

/**
 * Replaces each `${NAME}` with the secret's value: percent-encoded in a server URL (a password may
 * hold `@` or `/`), as it is in an SQLite path. A missing secret is an error naming it.
 */
export function expandDatabaseUrl(url: string, secret: (name: string) => string | undefined): string {
  const server = !url.startsWith('sqlite:');
  return url.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => {
    const value = secret(name);
    if (value === undefined)
      throw new DatabaseError(
        'DATABASE_URL_INVALID',
        `the database URL uses the secret ${name}, which is not set (the environment, or .slipway/secrets.env)`,
      );
    return server ? encodeURIComponent(value) : value;
  });
}
