/**
 * The evidence an auditor asks for, assembled from the event log as plain data: for each deploy
 * (a deploy, an upgrade or a rollback), who did it, when, from which commit and run, who approved
 * it, which checks of its run passed or failed, how its findings gates ended, what the rules of the
 * environment's protection found, and the infrastructure plan it applied. Pure: the caller reads the events and runs.
 */
import type { Run, StoredEvent } from '../store/store.js';

/** One approval decision on the deploy's gate. */
export interface EvidenceApproval {
  readonly by: string;
  readonly at: string;
  readonly decision: 'approved' | 'rejected';
  readonly comment?: string;
}

/** One deploy with its evidence. */
export interface DeployEvidence {
  readonly at: string;
  readonly type: 'deployed' | 'upgraded' | 'rolledback';
  readonly service: string | null;
  readonly environment: string | null;
  readonly revision: string | null;
  readonly commit: string | null;
  readonly deployedBy: string;
  readonly run: number | null;
  readonly branch: string | null;
  readonly trigger: string | null;
  readonly approvals: readonly EvidenceApproval[];
  /** Jobs of the run that passed (before the deploy). */
  readonly checksPassed: readonly string[];
  /** Jobs of the run that failed or were skipped, with their status. */
  readonly checksFailed: readonly string[];
  /** Each findings gate of the run: job, verdict and counted findings. */
  readonly findings: readonly { readonly job: string; readonly gate: string; readonly counted: number }[];
  /** What each rule of the environment's protection found at its gate (signed commit, branch, stages). */
  readonly policies: readonly string[];
  /** The infrastructure plans the run applied in this environment. */
  readonly infrastructure: readonly {
    readonly plan: number;
    readonly hash: string;
    readonly approvedBy: string | null;
    readonly override: string | null;
  }[];
}

const DEPLOY_TYPES: Readonly<Record<string, DeployEvidence['type']>> = {
  'service.deployed': 'deployed',
  'service.upgraded': 'upgraded',
  'service.rolledback': 'rolledback',
};

/** The event types the evidence is made from: ask the store for these. */
export const EVIDENCE_EVENT_TYPES = [
  'service.deployed',
  'service.upgraded',
  'service.rolledback',
  'approval.granted',
  'approval.rejected',
  'taskrun.finished',
  'findings.recorded',
  'infra.applied',
  'infra.approved',
  'infra.overridden',
  'protection.passed',
] as const;

const iso = (time: number) => new Date(time).toISOString();
const text = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/** The evidence of every deploy among `events` (in log order), with the runs they came from. */
export function auditEvidence(
  events: readonly StoredEvent[],
  runs: ReadonlyMap<number, Run>,
): DeployEvidence[] {
  const byRun = new Map<number, StoredEvent[]>();
  for (const e of events) {
    if (e.runId === null) continue;
    const list = byRun.get(e.runId) ?? [];
    list.push(e);
    byRun.set(e.runId, list);
  }
  const out: DeployEvidence[] = [];
  for (const e of events) {
    const type = DEPLOY_TYPES[e.type];
    if (!type) continue;
    const runEvents = (e.runId !== null ? byRun.get(e.runId) : undefined) ?? [];
    const before = runEvents.filter((r) => r.id < e.id);
    const run = e.runId !== null ? runs.get(e.runId) : undefined;
    const data = e.data as Record<string, unknown>;
    const jobs = new Map<string, string>();
    for (const r of before)
      if (r.type === 'taskrun.finished' && r.subject)
        jobs.set(r.subject, String((r.data as { status?: unknown }).status));
    const sameEnvironment = (r: StoredEvent) => e.environment === null || r.environment === e.environment;
    const applied = before.filter((r) => r.type === 'infra.applied' && sameEnvironment(r));
    out.push({
      at: iso(e.time),
      type,
      service: e.service,
      environment: e.environment,
      revision: text(data.revision) ?? text((data.deploy as Record<string, unknown> | undefined)?.revision),
      commit: e.commitSha ?? run?.commitSha ?? null,
      deployedBy: e.actor,
      run: e.runId,
      branch: run?.branch ?? null,
      trigger: run?.trigger ?? null,
      approvals: before
        .filter(
          (r) => (r.type === 'approval.granted' || r.type === 'approval.rejected') && sameEnvironment(r),
        )
        .map((r) => ({
          by: r.actor,
          at: iso(r.time),
          decision: r.type === 'approval.granted' ? ('approved' as const) : ('rejected' as const),
          ...(text((r.data as { comment?: unknown }).comment)
            ? { comment: String((r.data as { comment?: unknown }).comment) }
            : {}),
        })),
      checksPassed: [...jobs]
        .filter(([job, status]) => status === 'success' && job !== e.subject)
        .map(([job]) => job),
      checksFailed: [...jobs]
        .filter(([, status]) => status !== 'success')
        .map(([job, status]) => `${job} (${status})`),
      findings: before
        .filter((r) => r.type === 'findings.recorded')
        .map((r) => ({
          job: r.subject ?? '?',
          gate: String((r.data as { gate?: unknown }).gate),
          counted: Number((r.data as { counted?: unknown }).counted ?? 0),
        })),
      policies: before
        .filter((r) => r.type === 'protection.passed' && sameEnvironment(r))
        .flatMap((r) => {
          const rules = (r.data as { rules?: unknown }).rules;
          return Array.isArray(rules) ? rules.map(String) : [];
        }),
      infrastructure: applied.map((r) => {
        const plan = Number((r.data as { planId?: unknown }).planId);
        const approved = before.find((x) => x.type === 'infra.approved' && x.subject === String(plan));
        const override = before.find((x) => x.type === 'infra.overridden' && x.subject === String(plan));
        return {
          plan,
          hash: String((r.data as { hash?: unknown }).hash ?? ''),
          approvedBy: approved?.actor ?? null,
          override: override ? String((override.data as { reason?: unknown }).reason) : null,
        };
      }),
    });
  }
  return out;
}
