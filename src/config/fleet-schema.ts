/**
 * The schema of a fleet: the machines Slipway deploys to over SSH (`hosts:`), and how a rollout
 * moves through their regions (`regions:`: a primary wave, secondary waves at later offsets,
 * traffic shares and failover). Both may be written at the top level or inside an environment.
 */
import { z } from 'zod';
import { parseDuration } from './duration.js';
import { identifier } from './fields.js';
import { parseSshAddress } from './ssh-address.js';

/** The folder Slipway uses on a host when `dir` is not given. */
export const DEFAULT_HOST_DIR = '~/.slipway';

/** A region name such as `us-east-1`. */
export const regionName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, {
  error: 'a region name starts with a letter or digit and contains only letters, digits, ., _ and -',
});

const address = z
  .string()
  .transform((text, ctx) => {
    const parsed = parseSshAddress(text);
    if (parsed.ok) return parsed.address;
    ctx.issues.push({ code: 'custom', input: text, message: parsed.problem });
    return z.NEVER;
  })
  .meta({ examples: ['ssh://deploy@10.1.0.11', 'ssh://deploy@host.example.com:2222'] });

/** One machine of the fleet. */
export const hostSchema = z
  .strictObject({
    address: address.describe(
      'How to reach the host: `ssh://[user@]host[:port]`; the host is an IPv4 address, an IPv6 address in brackets or a DNS name.',
    ),
    region: regionName.describe('The region the host is in, e.g. `us-east-1`; `regions:` deploys by region.'),
    dir: z
      .string()
      .regex(/^(?:\/|~\/|~$)/, { error: "must be an absolute path or start with '~/'" })
      .default(DEFAULT_HOST_DIR)
      .describe('The folder Slipway keeps its revisions and state in on the host.'),
  })
  .describe('A machine Slipway deploys to over SSH.');

/** A percentage written `40%` or `40`, parsed to a number between 0 and 100. */
const share = z
  .union([z.number(), z.string()])
  .transform((value, ctx) => {
    const match = typeof value === 'number' ? [] : /^\s*(-?\d+(?:\.\d+)?)\s*%?\s*$/.exec(value);
    const n = typeof value === 'number' ? value : match ? Number(match[1]) : Number.NaN;
    if (Number.isNaN(n) || n < 0 || n > 100) {
      ctx.issues.push({
        code: 'custom',
        input: value,
        message: Number.isNaN(n)
          ? `invalid percentage '${value}' (write e.g. 40%)`
          : `a percentage is between 0% and 100%, got ${value}${typeof value === 'number' ? '%' : ''}`,
      });
      return z.NEVER;
    }
    return n;
  })
  .meta({ examples: ['40%'] });

/** When a wave starts: `immediate` or `+<duration>` after the rollout starts, parsed to ms. */
const waveStart = z
  .string({ error: "expected `immediate` or '+<duration>' such as '+5m'" })
  .transform((text, ctx) => {
    const offset =
      text.trim() === 'immediate' ? 0 : /^\s*\+/.test(text) ? parseDuration(text.trim().slice(1)) : undefined;
    if (offset === undefined) {
      ctx.issues.push({
        code: 'custom',
        input: text,
        message: `invalid wave start '${text}' (write immediate or '+<duration>' such as '+5m')`,
      });
      return z.NEVER;
    }
    return offset;
  })
  .meta({ examples: ['immediate', '+5m'] });

/** One wave: a region, when it starts and its share of the traffic. */
const waveFields = {
  region: regionName.describe('The region this wave deploys to; every host in it is part of the wave.'),
  traffic: share.describe(
    "The region's share of the environment's traffic; the shares of all waves add up to 100%.",
  ),
};

/** The first wave. */
export const primaryWaveSchema = z
  .strictObject({
    region: waveFields.region,
    deployment: waveStart
      .prefault('immediate')
      .describe("When the wave starts: `immediate`, or '+<duration>' after the rollout starts."),
    traffic: waveFields.traffic,
  })
  .describe('The primary region: the first wave of a rollout.');

/** A later wave. */
export const secondaryWaveSchema = z
  .strictObject({
    region: waveFields.region,
    deployment: waveStart.describe(
      "When the wave starts, after the rollout starts: '+<duration>' such as '+5m'; each wave starts after the one before.",
    ),
    traffic: waveFields.traffic,
  })
  .describe('A secondary region: a later wave of a rollout.');

/** How long a switchover may take: `< 30s` or `30s`, parsed to ms. */
const switchoverTime = z
  .string({ error: "expected a duration such as 30s or '< 30s'" })
  .transform((text, ctx) => {
    const ms = parseDuration(text.trim().replace(/^<\s*/, ''));
    if (ms === undefined) {
      ctx.issues.push({
        code: 'custom',
        input: text,
        message: `invalid switchover time '${text}' (write a duration such as 30s or '< 30s')`,
      });
      return z.NEVER;
    }
    return ms;
  })
  .meta({ examples: ['< 30s', '1m'] });

/** What happens when a region turns unhealthy. */
export const failoverSchema = z
  .strictObject({
    strategy: z
      .enum(['automatic', 'manual'])
      .default('manual')
      .describe(
        "`automatic` moves an unhealthy region's traffic to the healthy ones; `manual` waits for an operator.",
      ),
    health_threshold: share
      .prefault('95%')
      .describe("Share of a region's health checks that must pass; below it the region fails over."),
    switchover_time: switchoverTime
      .prefault('30s')
      .describe("The longest a switchover may take, written '< 30s' or 30s."),
  })
  .describe('How traffic leaves a region that turns unhealthy.');

/** How a rollout moves through the regions of the hosts. */
export const regionsSchema = z
  .strictObject({
    primary: primaryWaveSchema,
    secondary: z.array(secondaryWaveSchema).default([]).describe('Later waves, in the order they start.'),
    failover: failoverSchema.prefault({}),
  })
  .describe(
    'The regions a rollout deploys to, in waves: the primary first, then each secondary at its offset.',
  );

/** `hosts:` at the top level: the fleet by host name. */
export const hostsSchema = z
  .record(identifier, hostSchema)
  .describe(
    'Machines Slipway deploys to over SSH, by name (default: none, everything runs on this machine).',
  );

/** The fleet fields of an environment: the hosts it deploys to, its waves and its rollback scope. */
export const environmentFleetFields = {
  hosts: z
    .union([
      z.array(identifier).describe('Names of top-level hosts; `[]` keeps the environment on this machine.'),
      hostsSchema.describe('Hosts of this environment only, by name (names are unique across the file).'),
    ])
    .optional()
    .describe(
      'The hosts this environment deploys to: names of top-level hosts (`[]`: none, it runs on this machine), or hosts of its own (default: every top-level host in the regions it deploys to).',
    ),
  regions: regionsSchema
    .optional()
    .describe('The regions this environment deploys to, in waves (default: the top-level `regions:`).'),
  rollback: z
    .enum(['all', 'region'])
    .default('all')
    .describe(
      '`all`: a failed rollout rolls every region back; `region`: only the region that failed rolls back.',
    ),
};

export type HostOutput = z.output<typeof hostSchema>;
export type RegionsOutput = z.output<typeof regionsSchema>;
