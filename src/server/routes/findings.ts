// Findings routes: a run's security findings and the verdict of each job's gate.
import { z } from 'zod';
import { SEVERITIES } from '../../findings/finding.js';
import { readSnapshot } from '../../pipeline/run-snapshot.js';
import { getRunOrThrow } from '../../pipeline/stored-run.js';
import { type ApiRoute, defineRoute } from '../api-route.js';
import { AUTH_ERRORS, ErrorSchema, RunIdParams } from '../schemas.js';
import type { ServerContext } from '../server-context.js';
import { blobBaseUrl } from '../source-links.js';

const Severity = z.enum(SEVERITIES);

const FindingSchema = z
  .object({
    id: z.number().int(),
    runId: z.number().int(),
    jobKey: z.string(),
    tool: z.string(),
    rule: z.string(),
    severity: Severity,
    message: z.string(),
    location: z
      .object({ file: z.string(), line: z.number().int().optional(), column: z.number().int().optional() })
      .optional(),
    fingerprint: z.string(),
    fingerprintSource: z.enum(['report', 'location']),
    status: z.enum(['counted', 'below', 'baseline', 'suppressed']),
    suppression: z.record(z.string(), z.unknown()).nullable(),
  })
  .meta({ id: 'Finding' });

const FindingsQuery = z.strictObject({
  job: z.string().min(1).max(200).optional().describe('only this job'),
});

/** The routes under /api/v1/runs/:id/findings. */
export function findingRoutes(ctx: ServerContext): ApiRoute[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/api/v1/runs/:id/findings',
      summary: "A run's security findings, most severe first, and each job's gate",
      tag: 'runs',
      role: 'viewer',
      params: RunIdParams,
      query: FindingsQuery,
      responses: {
        200: {
          description: 'the findings',
          schema: z.object({
            run: z.number().int(),
            counts: z.record(Severity, z.number().int()).describe('counted findings per severity'),
            gates: z.array(z.record(z.string(), z.unknown())).describe('each job gate: verdict and counts'),
            findings: z.array(FindingSchema),
            blobUrl: z
              .string()
              .nullable()
              .describe(
                "web URL of the files of the run's commit (`https://github.com/OWNER/REPO/blob/COMMIT`; a finding is at `/PATH#LLINE` under it), null when the repository or commit is unknown",
              ),
          }),
        },
        ...AUTH_ERRORS,
        404: { description: 'no such run', schema: ErrorSchema },
      },
      async handler({ params, query }) {
        const run = await getRunOrThrow(ctx.store, params.id);
        const rank = (s: (typeof SEVERITIES)[number]) => SEVERITIES.indexOf(s);
        const findings = (
          await ctx.store.listFindings({ runId: params.id, ...(query.job ? { jobKey: query.job } : {}) })
        ).sort((a, b) => rank(a.severity) - rank(b.severity) || a.id - b.id);
        const gates = (await ctx.store.listEvents({ types: ['findings.recorded'], runId: params.id }))
          .filter((e) => !query.job || e.subject === query.job)
          .map((e) => ({ job: e.subject, ...e.data }));
        const counts = Object.fromEntries(
          SEVERITIES.map((s) => [
            s,
            findings.filter((f) => f.severity === s && f.status === 'counted').length,
          ]),
        ) as Record<(typeof SEVERITIES)[number], number>;
        // The run's frozen config names its repository; today's file is the fallback for older runs.
        const config = readSnapshot(run.plan)?.config ?? (await ctx.loadConfig().catch(() => undefined));
        const blobUrl = config === undefined ? undefined : blobBaseUrl(config, run.commitSha);
        return { run: params.id, counts, gates, findings, blobUrl: blobUrl ?? null };
      },
    }),
  ];
}
