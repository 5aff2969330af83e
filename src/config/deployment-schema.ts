/**
 * The schema of how a service is deployed to an environment: strategy, analysis, checks around
 * traffic and hooks. Environments set it for every service (`environments.<env>`); a service may
 * override any section for one environment (`services.<id>.deploy.<env>`).
 */
import { z } from 'zod';
import { analysisSchema } from './analysis-schema.js';
import { duration } from './fields.js';
import { strategySchema } from './strategy-schema.js';

const path = z.string().regex(/^\//, { error: "must be a path starting with '/'" });
const method = z
  .enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'])
  .default('GET')
  .describe('HTTP method.');
const expect = z
  .union([z.int().min(100).max(599), z.array(z.int().min(100).max(599)).min(1)])
  .optional()
  .describe('Expected status or statuses (default: any 2xx or 3xx).');
const body = z
  .string()
  .min(1)
  .refine(
    (source) => {
      try {
        new RegExp(source);
        return true;
      } catch {
        return false;
      }
    },
    { error: 'must be a valid regular expression' },
  )
  .optional()
  .describe('Regular expression the response body must match.');

/** An HTTP request to the new revision, through the router with its revision header. */
export const httpCheckSchema = z
  .strictObject({
    path: path.describe('Path requested, e.g. `/healthz`.'),
    method,
    expect,
    body,
  })
  .describe('An HTTP request and what its response must be.');

/** A smoke check: an HTTP request or a command. */
export const smokeCheckSchema = z.union([
  z.strictObject({ http: httpCheckSchema }).describe('Request a path of the new revision.'),
  z
    .strictObject({
      run: z
        .string()
        .min(1)
        .describe('Shell command; exit 0 passes (SLIPWAY_URL and SLIPWAY_REVISION are set).'),
    })
    .describe('Run a command against the new revision.'),
]);

/** A synthetic journey: a few requests made in order, every analysis interval. */
export const journeySchema = z
  .strictObject({
    name: z.string().min(1).describe('Name shown in results.'),
    steps: z
      .array(httpCheckSchema)
      .min(1)
      .describe('Requests made in order; the journey fails at the first bad one.'),
  })
  .describe('A synthetic journey: requests with expected statuses and bodies.');

/** The paths a security check requests by default: a git checkout and an environment file left in the served tree. */
export const DEFAULT_FORBIDDEN_PATHS = ['/.git/', '/.git/config', '/.git/HEAD', '/.env'];

/** Response headers the security check requires or forbids. */
export const securityHeadersSchema = z
  .strictObject({
    hsts: z
      .union([z.boolean(), z.literal('https')])
      .default('https')
      .describe(
        'Require `Strict-Transport-Security` with a `max-age` above 0: `https` (default) when the endpoint checked is HTTPS, `true` always (TLS ends in front of the router), `false` never.',
      ),
    contentTypeOptions: z.boolean().default(true).describe('Require `X-Content-Type-Options: nosniff`.'),
    csp: z
      .boolean()
      .default(true)
      .describe(
        'Require a `Content-Security-Policy` header (`Content-Security-Policy-Report-Only` does not count).',
      ),
    serverVersion: z
      .boolean()
      .default(false)
      .describe(
        'Allow a version in `Server` and `X-Powered-By` (e.g. `nginx/1.25.3`, `PHP/8.2`); `false` (default) fails a response that names one.',
      ),
  })
  .describe('Headers the response to `path` must carry, or must not.');

/** What the security check asks of the endpoint's TLS, when it is HTTPS. */
export const securityTlsSchema = z
  .strictObject({
    minVersion: z
      .enum(['TLSv1.2', 'TLSv1.3'])
      .default('TLSv1.2')
      .describe('Oldest TLS version the endpoint may negotiate or accept.'),
    expiryDays: z
      .int()
      .min(0)
      .default(14)
      .describe('Fails when the certificate expires within this many days.'),
    hostname: z
      .string()
      .min(1)
      .optional()
      .describe(
        "Name the certificate must be valid for, also sent as the TLS server name (default: the endpoint's host).",
      ),
    ca: z
      .string()
      .min(1)
      .optional()
      .describe(
        'PEM file of certificate authorities trusted besides the system ones (an internal CA), relative to the project.',
      ),
  })
  .describe('TLS of an HTTPS endpoint: negotiated and accepted versions, trust, expiry and hostname.');

/** Runtime security checks of the new revision, before it takes traffic and again once it has all of it. */
export const securityChecksSchema = z
  .strictObject({
    url: z
      .url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' })
      .optional()
      .describe(
        "Endpoint checked instead of the router's, e.g. the HTTPS address of a proxy in front of it; it must pass the `X-Slipway-Revision` header on (default: the service's endpoint).",
      ),
    path: path
      .default('/')
      .describe(
        'Page whose headers are checked and whose scripts and stylesheets are searched for source maps.',
      ),
    headers: securityHeadersSchema.prefault({}),
    forbiddenPaths: z
      .array(path)
      .default(DEFAULT_FORBIDDEN_PATHS)
      .describe(
        'Paths that must not be served: a 2xx answer fails, unless a made-up path beside it gets the very same answer (a catch-all page); 3xx, 403 and 404 pass.',
      ),
    sourceMaps: z
      .boolean()
      .default(true)
      .describe(
        'Fail when a source map is served: the `sourceMappingURL` (or `SourceMap` header) of each same-origin script and stylesheet of `path`, and `<file>.map`, or one embedded as a `data:` URL.',
      ),
    tls: securityTlsSchema.prefault({}),
  })
  .describe(
    'Security checks of the new revision before it gets traffic and once it has all traffic; a failure is a failed measurement and rolls the revision back.',
  );

/** Checks around traffic: before it moves (smoke, warmup) and while it moves (synthetic journeys). */
export const checksSchema = z
  .strictObject({
    smoke: z
      .array(smokeCheckSchema)
      .default([])
      .describe('Checks sent to the new revision before it gets traffic; a failure aborts the rollout.'),
    warmup: z
      .array(path)
      .default([])
      .describe('Paths requested once on every new instance before it gets traffic.'),
    synthetic: z
      .array(journeySchema)
      .default([])
      .superRefine((journeys, ctx) => {
        const seen = new Set<string>();
        journeys.forEach((j, i) => {
          if (seen.has(j.name))
            ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `duplicate journey '${j.name}'` });
          seen.add(j.name);
        });
      })
      .describe(
        'Journeys run against the new revision every analysis interval; a failed one counts as a failed measurement.',
      ),
    security: securityChecksSchema.optional(),
    timeout: duration.prefault('10s').describe('A check request or command that takes longer fails.'),
  })
  .describe('Checks of the new revision before and during traffic.');

/** Commands run once per rollout, before traffic moves and after it is done. */
export const hooksSchema = z
  .strictObject({
    preDeploy: z
      .string()
      .min(1)
      .optional()
      .describe('Shell command run before any traffic moves (e.g. migrations); failure aborts the rollout.'),
    postDeploy: z
      .string()
      .min(1)
      .optional()
      .describe('Shell command run after the new revision serves all traffic.'),
    timeout: duration.prefault('10m').describe('A hook that takes longer fails.'),
  })
  .describe('Commands run once per rollout (SLIPWAY_SERVICE, SLIPWAY_ENV and SLIPWAY_REVISION are set).');

/** The deployment sections of an environment, each with its defaults. */
export const deploymentFields = {
  strategy: strategySchema.prefault({ rolling: {} }),
  analysis: analysisSchema.prefault({}),
  checks: checksSchema.prefault({}),
  hooks: hooksSchema.prefault({}),
};

/** A service's deployment to one environment: each section given replaces the environment's whole section. */
export const deploymentOverrideSchema = z
  .strictObject({
    strategy: strategySchema.optional(),
    analysis: analysisSchema.optional(),
    checks: checksSchema.optional(),
    hooks: hooksSchema.optional(),
  })
  .describe(
    "How this service is deployed to one environment; each section given replaces that section of the environment's settings.",
  );

export type DeploymentOverrideOutput = z.output<typeof deploymentOverrideSchema>;
