// Runs page: the list of pipeline runs and the Start run button.
import { api, can } from './api.js';
import { act, el, pill, tablePanel } from './dom.js';
import { ago, since } from './format.js';
import { debounce, onEvent } from './live.js';

export async function runsView(root) {
  const body = el('tbody', {});
  const startButton = can('deployer')
    ? el(
        'button',
        {
          class: 'primary',
          id: 'start-run',
          onclick: (e) =>
            act(e.currentTarget, 'run started', async () => {
              const started = await api('POST', '/api/v1/runs', {});
              location.hash = `#/runs/${started.runId}`;
            }),
        },
        'Start run',
      )
    : null;
  root.append(
    el('h1', {}, 'Pipeline runs', el('span', { class: 'spacer' }), startButton),
    tablePanel(['Run', 'Status', 'Pipeline', 'Trigger', 'Commit', 'Started', 'Duration'], body),
  );
  const render = async () => {
    const { runs } = await api('GET', '/api/v1/runs?limit=50');
    body.replaceChildren(
      ...runs.map((run) =>
        el(
          'tr',
          { class: 'clickable', 'data-run': run.id, onclick: () => (location.hash = `#/runs/${run.id}`) },
          el('td', {}, el('a', { href: `#/runs/${run.id}` }, `#${run.id}`)),
          el('td', {}, pill(run.status, { 'data-run-status': run.status })),
          el('td', {}, run.pipeline),
          el('td', {}, `${run.trigger} · ${run.actor}`),
          el(
            'td',
            { class: 'mono' },
            run.commitSha ? run.commitSha.slice(0, 8) : '—',
            run.branch ? ` (${run.branch})` : '',
          ),
          el('td', {}, ago(run.startedAt ?? run.createdAt)),
          el('td', {}, since(run.startedAt, run.finishedAt)),
        ),
      ),
    );
    if (runs.length === 0)
      body.append(el('tr', {}, el('td', { colspan: 7, class: 'muted' }, 'No runs yet.')));
  };
  await render();
  const again = debounce(render);
  onEvent((event) => {
    if (event.type.startsWith('pipelinerun.') || event.type.startsWith('approval.')) again();
  });
}
