// The infrastructure plan an approval gate approves: Terraform's summary and changes as a table,
// policy findings, the cost estimate, and the manifests' findings.
import { el, tablePanel } from './dom.js';

const SYMBOL = { create: '+', update: '~', delete: '-', replace: '-/+', read: '<=' };

const money = (value, currency) => `${value < 0 ? '-' : '+'}${Math.abs(value).toFixed(2)} ${currency}`;

/** The summary line Terraform prints: `Plan: 1 to add, 0 to change, 2 to destroy.` */
export function summaryText(summary) {
  if (summary.changes.length === 0) return 'No changes.';
  return `Plan: ${summary.add} to add, ${summary.change} to change, ${summary.destroy} to destroy.`;
}

/** The plan `plan` (as the approvals API returns it) shown on its gate. */
export function infraPlanView(plan) {
  const parts = [
    el(
      'div',
      { class: 'muted small' },
      `Infrastructure plan ${plan.id} · hash ${plan.hash.slice(0, 12)} · planned by ${plan.actor}`,
    ),
  ];
  if (plan.terraform) {
    const { summary } = plan.terraform;
    parts.push(el('div', { 'data-plan-summary': true }, el('strong', {}, summaryText(summary))));
    if (summary.changes.length > 0)
      parts.push(
        tablePanel(
          ['', 'Resource', 'Action', 'Changed'],
          el(
            'tbody',
            { 'data-plan-changes': true },
            ...summary.changes
              .slice(0, 200)
              .map((c) =>
                el(
                  'tr',
                  { 'data-action': c.action },
                  el('td', { class: `plan-symbol ${c.action}` }, SYMBOL[c.action] ?? ''),
                  el('td', {}, el('code', {}, c.address)),
                  el('td', {}, c.action),
                  el('td', { class: 'muted small' }, c.changed.join(', ')),
                ),
              ),
          ),
        ),
      );
  }
  if (plan.policy && plan.policy.violations.length > 0)
    parts.push(
      tablePanel(
        ['Policy', 'Severity', 'Resource', 'Message'],
        el(
          'tbody',
          { 'data-plan-policy': true },
          ...plan.policy.violations
            .slice(0, 100)
            .map((v) =>
              el(
                'tr',
                { 'data-severity': v.severity },
                el('td', {}, v.rule),
                el('td', { class: v.severity === 'deny' ? 'deny' : 'warn' }, v.severity),
                el('td', {}, el('code', {}, v.address)),
                el('td', {}, v.message),
              ),
            ),
        ),
      ),
    );
  if (plan.cost)
    parts.push(
      el(
        'div',
        { 'data-plan-cost': true },
        `Cost: ${money(plan.cost.monthlyDelta, plan.cost.currency)}/month`,
        plan.cost.unpriced.length > 0
          ? el('span', { class: 'muted small' }, ` · no price for ${plan.cost.unpriced.length}`)
          : null,
      ),
    );
  if (plan.cluster)
    parts.push(
      el(
        'div',
        { class: 'muted small' },
        `Kubernetes: ${plan.cluster.manifests} manifests, ${plan.cluster.issues.length} findings`,
      ),
    );
  return el('div', { class: 'infra-plan', 'data-infra-plan': plan.id }, ...parts);
}

/** True when a policy denies the plan: approving it takes an admin's override. */
export const deniedByPolicy = (plan) => (plan?.policy?.denied ?? 0) > 0;
