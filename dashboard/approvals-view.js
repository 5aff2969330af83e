// Approvals page: pending deployment gates with approve/reject buttons, and recent decisions.
import { api, can, pendingApprovals } from './api.js';
import { act, el, pill, tablePanel } from './dom.js';
import { ago } from './format.js';
import { deniedByPolicy, infraPlanView } from './infra-plan-view.js';
import { debounce, onEvent } from './live.js';

/**
 * Approves or rejects the gate of `environment` in a run, with the comment typed in `comment` and
 * the override reason typed in `override` (a plan a policy denies), if any.
 */
export function decisionButton(runId, environment, decision, comment, override) {
  const approve = decision === 'approve';
  return el(
    'button',
    {
      class: `small ${approve ? 'approve' : 'reject'}`,
      'data-decision': decision,
      'data-environment': environment,
      onclick: (e) =>
        act(e.currentTarget, `${environment} ${approve ? 'approved' : 'rejected'}`, () =>
          api('POST', `/api/v1/runs/${runId}/approvals/${encodeURIComponent(environment)}/${decision}`, {
            ...(comment?.value ? { comment: comment.value } : {}),
            ...(approve && override?.value ? { override: override.value } : {}),
          }),
        ),
    },
    approve ? 'Approve' : 'Reject',
  );
}

export async function approvalsView(root) {
  const waiting = el('div', { id: 'approvals' });
  const decided = el('tbody', {});
  root.append(
    el('h1', {}, 'Approvals'),
    waiting,
    el('h3', {}, 'Recently decided'),
    tablePanel(['Run', 'Environment', 'Decision', 'By', 'Comment', 'When'], decided),
  );
  // What was typed in each gate's inputs: a live re-render (another gate's event) keeps it.
  const typed = new Map();
  const input = (key, attrs) => {
    const node = el('input', { type: 'text', ...attrs });
    node.value = typed.get(key) ?? '';
    node.addEventListener('input', () => typed.set(key, node.value));
    return node;
  };
  const render = async () => {
    const pending = await pendingApprovals();
    waiting.replaceChildren(
      ...pending.map(({ run, approval }) => {
        const key = `${run.id}/${approval.environment}`;
        const comment = input(`${key}/comment`, {
          placeholder: 'comment (optional)',
          'aria-label': 'comment',
        });
        const plan = approval.infraPlan;
        const override =
          deniedByPolicy(plan) && can('admin')
            ? input(`${key}/override`, {
                placeholder: 'override reason (a policy denies this plan)',
                'aria-label': 'override reason',
              })
            : null;
        return el(
          'div',
          { class: 'panel gate-card', 'data-gate': `${run.id}/${approval.environment}` },
          el(
            'div',
            { class: 'what' },
            el('strong', {}, `Deploy to ${approval.environment}`),
            ' ',
            pill('pending'),
            // A gate of several approvers shows how far it got, and by whom.
            approval.required > 1
              ? el(
                  'span',
                  { class: 'muted small', 'data-votes': `${approval.votes.length}/${approval.required}` },
                  ` ${approval.votes.length}/${approval.required} approvals${approval.votes.length > 0 ? ` (${approval.votes.map((v) => v.by).join(', ')})` : ''}`,
                )
              : null,
            el(
              'div',
              { class: 'muted small' },
              el('a', { href: `#/runs/${run.id}` }, `Run #${run.id}`),
              ` of ${run.pipeline}, started by ${run.actor}${run.commitSha ? ` at ${run.commitSha.slice(0, 8)}` : ''} · waiting ${ago(approval.requestedAt).replace(' ago', '')}`,
            ),
          ),
          can('approver')
            ? [
                comment,
                override,
                decisionButton(run.id, approval.environment, 'approve', comment, override),
                decisionButton(run.id, approval.environment, 'reject', comment),
              ]
            : el('span', { class: 'muted small', 'data-no-permission': true }, 'needs the approver role'),
          plan ? infraPlanView(plan) : null,
        );
      }),
    );
    if (pending.length === 0)
      waiting.append(el('div', { class: 'panel muted' }, 'Nothing is waiting for approval.'));
    const { runs } = await api('GET', '/api/v1/runs?limit=15');
    const lists = await Promise.all(runs.map((run) => api('GET', `/api/v1/runs/${run.id}/approvals`)));
    const rows = lists
      .flatMap((l) => l.approvals)
      .filter((a) => a.status !== 'pending')
      .sort((a, b) => (b.decidedAt ?? 0) - (a.decidedAt ?? 0))
      .slice(0, 10);
    decided.replaceChildren(
      ...rows.map((a) =>
        el(
          'tr',
          {},
          el('td', {}, el('a', { href: `#/runs/${a.runId}` }, `#${a.runId}`)),
          el('td', {}, a.environment),
          el('td', {}, pill(a.status)),
          el('td', {}, a.decidedBy ?? ''),
          el('td', {}, a.comment ?? ''),
          el('td', {}, ago(a.decidedAt)),
        ),
      ),
    );
    if (rows.length === 0)
      decided.append(el('tr', {}, el('td', { colspan: 6, class: 'muted' }, 'No decisions yet.')));
  };
  await render();
  const again = debounce(render);
  onEvent((event) => {
    if (event.type.startsWith('approval.') || event.type === 'pipelinerun.finished') again();
  });
}
