/** The resolved form of a deployment's `checks.security`, kept apart from resolved.ts for its length. */

/** `checks.security` (absent when not set): runtime security checks; each field is described in its schema. */
export interface ResolvedSecurityChecks {
  readonly url?: string;
  readonly path: string;
  /** `hsts: 'https'`: required when the endpoint is HTTPS; `serverVersion`: a version may be named. */
  readonly headers: {
    readonly hsts: boolean | 'https';
    readonly contentTypeOptions: boolean;
    readonly csp: boolean;
    readonly serverVersion: boolean;
  };
  readonly forbiddenPaths: readonly string[];
  readonly sourceMaps: boolean;
  /** `hostname`: the endpoint's host when absent; `ca`: a PEM file, relative to the project. */
  readonly tls: {
    readonly minVersion: 'TLSv1.2' | 'TLSv1.3';
    readonly expiryDays: number;
    readonly hostname?: string;
    readonly ca?: string;
  };
}
