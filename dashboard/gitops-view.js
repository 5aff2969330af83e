// GitOps page: the watched repository, the latest reconcile pass (commit with its message and
// author, each service and environment with its sync status, health, diff and action), a sync
// button for deployers, and the history of syncs.
import { api, can } from './api.js';
import { act, el, pill, tablePanel } from './dom.js';
import { debounce, every, onEvent } from './live.js';

const SYNC_CLASS = { Synced: 'success', OutOfSync: 'waiting' };
const HEALTH_CLASS = {
  Healthy: 'success',
  Progressing: 'running',
  Suspended: 'paused',
  Degraded: 'failure',
  Missing: 'failure',
};

function actionText(action) {
  if (action.kind === 'sync' || action.kind === 'heal') return `${action.kind} to ${action.revision}`;
  if (action.kind === 'wait') return action.reason;
  return action.kind === 'none' ? '' : action.kind;
}

export async function gitopsView(root) {
  const head = el('div', { id: 'gitops-head' });
  const body = el('tbody', { id: 'gitops-apps' });
  const history = el('tbody', { id: 'gitops-history' });
  const deliveries = el('tbody', { id: 'gitops-notifications' });
  root.append(
    el('h1', {}, 'GitOps'),
    head,
    tablePanel(['Service', 'Environment', 'Sync', 'Health', 'Serving', 'Diff', 'Action'], body),
    el('h2', {}, 'History'),
    tablePanel(['When', 'What', 'Where', 'Revision', 'Commit', 'By'], history),
    el('h2', {}, 'Notifications'),
    tablePanel(['When', 'Channel', 'Notification', 'Status', 'Attempts', 'Last error'], deliveries),
  );
  const render = async () => {
    const state = await api('GET', '/api/v1/gitops');
    if (!state.configured) {
      head.replaceChildren(
        el('div', { class: 'panel muted' }, 'This project has no gitops: section in slipway.yaml.'),
      );
      body.replaceChildren();
      history.replaceChildren();
      return;
    }
    const pass = state.lastPass;
    const sync = el('button', { type: 'button', id: 'gitops-sync' }, 'Sync now');
    sync.addEventListener('click', () =>
      act(sync, 'A reconcile pass started', () => api('POST', '/api/v1/gitops/sync', {})),
    );
    head.replaceChildren(
      el(
        'div',
        { class: 'panel' },
        el(
          'div',
          {},
          el('code', {}, state.repository.url),
          ` · branch ${state.repository.branch} · path /${state.repository.path}`,
        ),
        pass?.commit
          ? el(
              'div',
              { id: 'gitops-commit' },
              el('code', {}, pass.commit.commit.slice(0, 12)),
              ` ${pass.commit.subject} `,
              el(
                'span',
                { class: 'muted' },
                `(${pass.commit.author}) · checked ${new Date(pass.at).toLocaleTimeString()}`,
              ),
            )
          : el(
              'div',
              { class: 'muted' },
              pass?.error ? `The last pass failed: ${pass.error}` : 'No pass yet.',
            ),
        state.suspended
          ? el(
              'div',
              { id: 'gitops-suspended' },
              pill('paused'),
              ` automatic passes suspended by ${state.suspended.actor}${state.suspended.reason ? `: ${state.suspended.reason}` : ''}`,
            )
          : null,
        can('deployer') ? sync : null,
      ),
    );
    body.replaceChildren(
      ...(pass?.apps ?? []).map((app) =>
        el(
          'tr',
          { 'data-app': `${app.service}@${app.env}`, 'data-sync': app.sync, 'data-health': app.health },
          el('td', {}, app.service),
          el('td', {}, app.env),
          el('td', {}, pill(SYNC_CLASS[app.sync] ?? 'waiting', { title: app.sync }), ` ${app.sync}`),
          el('td', {}, pill(HEALTH_CLASS[app.health] ?? 'waiting', { title: app.health }), ` ${app.health}`),
          el('td', { class: 'mono' }, app.live ?? '-'),
          el(
            'td',
            { class: 'small' },
            app.diff.map((line) => el('div', {}, line)),
          ),
          el('td', { class: 'small' }, actionText(app.action)),
        ),
      ),
    );
    const { events } = await api('GET', '/api/v1/gitops/history?limit=20');
    history.replaceChildren(
      ...events.map((e) =>
        el(
          'tr',
          {},
          el('td', {}, new Date(e.time).toLocaleString()),
          el(
            'td',
            {},
            pill(e.type === 'gitops.failed' ? 'failure' : 'success', { title: e.type }),
            ` ${e.type.slice(7)}`,
          ),
          el('td', {}, `${e.service}@${e.environment}`),
          el('td', { class: 'mono' }, e.data.revision ?? '-'),
          el('td', {}, el('code', {}, String(e.data.commit ?? '').slice(0, 12)), ` ${e.data.subject ?? ''}`),
          el('td', {}, e.actor),
        ),
      ),
    );
  };
  const renderDeliveries = async () => {
    const { deliveries: list } = await api('GET', '/api/v1/notifications?limit=20');
    const STATUS = { delivered: 'success', failed: 'failure', pending: 'waiting', sending: 'running' };
    deliveries.replaceChildren(
      ...list.map((d) =>
        el(
          'tr',
          { 'data-delivery': d.id, 'data-status': d.status },
          el('td', {}, new Date(d.createdAt).toLocaleString()),
          el('td', {}, d.channel),
          el('td', {}, d.title),
          el('td', {}, pill(STATUS[d.status] ?? 'waiting', { title: d.status }), ` ${d.status}`),
          el('td', {}, String(d.attempts)),
          el('td', { class: 'small' }, d.lastError ?? ''),
        ),
      ),
    );
    if (list.length === 0)
      deliveries.append(el('tr', {}, el('td', { colspan: 6, class: 'muted' }, 'No notification sent yet.')));
  };
  const renderAll = async () => {
    await render();
    await renderDeliveries();
  };
  await renderAll();
  const again = debounce(renderAll);
  onEvent((event) => {
    if (event.type.startsWith('gitops.') || event.type.startsWith('rollout.')) again();
  });
  // Passes that change nothing record no event: the page looks again now and then.
  every(5000, again);
}
