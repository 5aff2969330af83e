// One run's page: facts, the stage and job graph with approval gates, and the tailed job log.
import { api, can, state } from './api.js';
import { decisionButton } from './approvals-view.js';
import { act, el, fill, pill } from './dom.js';
import { findingsPanel } from './findings-view.js';
import { ago, clock, since } from './format.js';
import { debounce, every, onEvent } from './live.js';

const ACTIVE_RUN = new Set(['queued', 'running', 'waiting']);

/** Column order of a run's stages: the project's stage order, then any others by first start. */
function stageOrder(jobs) {
  const known = (state.project?.stages ?? []).map((s) => s.name);
  const seen = [...new Set(jobs.map((j) => j.stage ?? 'jobs'))];
  return [...known.filter((s) => seen.includes(s)), ...seen.filter((s) => !known.includes(s))];
}

export async function runView(root, runId) {
  let selected = null;
  let lastLogId = 0;
  let detail = null;
  const title = el('h1', {});
  const facts = el('dl', { class: 'facts' });
  const graph = el('div', { class: 'graph', id: 'graph' });
  const logTitle = el('h2', {}, 'Logs');
  const logs = el(
    'pre',
    { class: 'logs', id: 'logs' },
    el('span', { class: 'empty' }, 'Select a job to see its log.'),
  );
  const findings = findingsPanel(runId);
  root.append(
    title,
    el('div', { class: 'panel' }, facts),
    el('div', { class: 'panel' }, el('h2', {}, 'Stages and jobs'), graph),
    findings.panel,
    el('div', { class: 'panel' }, logTitle, logs),
  );

  const gateButtons = (job) => {
    const env = job.jobKey.startsWith('deploy.') ? job.jobKey.slice('deploy.'.length) : null;
    const approval = detail.approvals.find((a) => a.environment === env && a.status === 'pending');
    if (!approval || !can('approver')) return null;
    return el(
      'div',
      { class: 'gate' },
      decisionButton(runId, approval.environment, 'approve'),
      decisionButton(runId, approval.environment, 'reject'),
    );
  };

  const renderGraph = () => {
    const columns = stageOrder(detail.jobs).map((stage) => {
      const jobs = detail.jobs
        .filter((j) => (j.stage ?? 'jobs') === stage)
        .sort(
          (a, b) => (a.startedAt ?? Infinity) - (b.startedAt ?? Infinity) || a.jobKey.localeCompare(b.jobKey),
        );
      return el(
        'div',
        { class: 'stage', 'data-stage': stage },
        el('div', { class: 'stage-name' }, stage),
        jobs.map((job) =>
          el(
            'div',
            {
              class: `job${job.jobKey === selected ? ' selected' : ''}`,
              role: 'button',
              tabindex: 0,
              'data-job': job.jobKey,
              'data-status': job.status,
              onclick: (e) => {
                if (e.target.closest('button')) return;
                selectJob(job.jobKey);
              },
            },
            el('span', { class: 'name' }, job.jobKey),
            el(
              'span',
              { class: 'meta' },
              pill(job.status),
              el('span', { class: 'dur' }, since(job.startedAt, job.finishedAt)),
            ),
            job.message ? el('span', { class: 'small muted' }, job.message) : null,
            gateButtons(job),
          ),
        ),
      );
    });
    graph.replaceChildren(
      ...columns.flatMap((c, i) => (i === 0 ? [c] : [el('div', { class: 'arrow' }, '›'), c])),
    );
    if (columns.length === 0) graph.append(el('p', { class: 'muted' }, 'No jobs have been planned yet.'));
  };

  const render = async () => {
    detail = await api('GET', `/api/v1/runs/${runId}`);
    const { run } = detail;
    fill(
      title,
      el('a', { href: '#/runs' }, 'Runs'),
      el('span', { class: 'muted' }, '/'),
      `Run #${run.id}`,
      pill(run.status, { id: 'run-status', 'data-run-status': run.status }),
      el('span', { class: 'spacer' }),
      can('deployer') && ACTIVE_RUN.has(run.status)
        ? el(
            'button',
            {
              class: 'danger',
              onclick: (e) =>
                act(e.currentTarget, 'cancelling', () => api('POST', `/api/v1/runs/${runId}/cancel`)),
            },
            'Cancel',
          )
        : null,
      can('deployer') && !ACTIVE_RUN.has(run.status)
        ? el(
            'button',
            {
              onclick: (e) =>
                act(e.currentTarget, 'run started', async () => {
                  const started = await api('POST', `/api/v1/runs/${runId}/rerun`, {
                    failed: run.status === 'failure',
                  });
                  location.hash = `#/runs/${started.runId}`;
                }),
            },
            run.status === 'failure' ? 'Re-run failed' : 'Re-run',
          )
        : null,
    );
    facts.replaceChildren(
      el('dt', {}, 'Pipeline'),
      el('dd', {}, run.pipeline),
      el('dt', {}, 'Started by'),
      el('dd', {}, `${run.actor} (${run.trigger})`),
      el('dt', {}, 'Commit'),
      el(
        'dd',
        { class: 'mono' },
        run.commitSha ? `${run.commitSha.slice(0, 12)}${run.branch ? ` on ${run.branch}` : ''}` : '—',
      ),
      el('dt', {}, 'Started'),
      el(
        'dd',
        {},
        run.startedAt ? `${new Date(run.startedAt).toLocaleString()} (${ago(run.startedAt)})` : 'not yet',
      ),
      el('dt', {}, 'Duration'),
      el('dd', { id: 'run-duration' }, since(run.startedAt, run.finishedAt) || '—'),
    );
    renderGraph();
    if (selected === null) {
      const first =
        detail.jobs.find((j) => j.status === 'running') ?? detail.jobs.find((j) => j.status === 'failure');
      if (first) selectJob(first.jobKey);
    }
  };

  const selectJob = (jobKey) => {
    selected = jobKey;
    lastLogId = 0;
    logTitle.textContent = `Logs · ${jobKey}`;
    logs.replaceChildren();
    logs.dataset.job = jobKey;
    for (const node of graph.querySelectorAll('.job'))
      node.classList.toggle('selected', node.dataset.job === jobKey);
    tail();
  };

  // Log lines are not events; the selected job's log is tailed by id while the run is active.
  let tailing = false;
  const tail = async () => {
    if (selected === null || tailing) return;
    tailing = true;
    const job = selected;
    try {
      for (;;) {
        const query = new URLSearchParams({ job, afterId: String(lastLogId), limit: '1000' });
        const { lines } = await api('GET', `/api/v1/runs/${runId}/logs?${query}`);
        if (job !== selected) return;
        if (lines.length > 0) {
          logs.querySelector('.empty')?.remove();
          const stick = logs.scrollTop + logs.clientHeight >= logs.scrollHeight - 20;
          logs.append(
            ...lines.map((line) =>
              el(
                'div',
                { class: `line ${line.stream}` },
                el('span', { class: 't' }, clock(line.time)),
                el('span', { class: 'x' }, line.text),
              ),
            ),
          );
          lastLogId = lines[lines.length - 1].id;
          if (stick) logs.scrollTop = logs.scrollHeight;
        }
        if (lines.length < 1000) break;
      }
      if (lastLogId === 0 && !logs.querySelector('.empty'))
        logs.append(el('span', { class: 'empty' }, 'No output (yet).'));
    } finally {
      tailing = false;
    }
  };

  await Promise.all([render(), findings.refresh()]);
  const again = debounce(render);
  const findingsAgain = debounce(findings.refresh);
  onEvent((event) => {
    if (event.runId !== runId) return;
    again();
    if (event.type === 'findings.recorded') findingsAgain();
    if (event.type === 'taskrun.finished' && event.subject === selected) tail();
  });
  every(1000, () => {
    if (!detail || !ACTIVE_RUN.has(detail.run.status)) return;
    tail();
    for (const node of graph.querySelectorAll('.job')) {
      const job = detail.jobs.find((j) => j.jobKey === node.dataset.job);
      if (job?.status === 'running') node.querySelector('.dur').textContent = since(job.startedAt, null);
    }
    document.getElementById('run-duration').textContent = since(detail.run.startedAt, detail.run.finishedAt);
  });
}
