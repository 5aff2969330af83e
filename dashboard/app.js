// Slipway dashboard: a hash-routed page over the /api/v1 API, kept live by the event stream.
// No framework and no build: every view renders plain DOM nodes built with `el`.

const ROLES = ['viewer', 'deployer', 'approver', 'admin'];
const STATUS_LABEL = {
  success: 'succeeded',
  failure: 'failed',
  timed_out: 'timed out',
  rolled_back: 'rolled back',
};
const ACTIVE_RUN = new Set(['queued', 'running', 'waiting']);

const state = { me: null, project: null, view: null, events: null };

/** Builds an element: attributes (on* become listeners) and children (strings become text). */
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else if (key === 'class') node.className = value;
    else if (key === 'style') node.style.cssText = value;
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  node.append(...nodes(children));
  return node;
}

/** Children as nodes: nested arrays flattened, null, undefined and false dropped, the rest as text. */
function nodes(children) {
  return children
    .flat(Infinity)
    .filter((child) => child !== undefined && child !== null && child !== false)
    .map((child) => (child instanceof Node ? child : String(child)));
}

/** Replaces the children of `node` (with the same leniency as `el`). */
function fill(node, ...children) {
  node.replaceChildren(...nodes(children));
}

const pill = (status, attrs = {}) =>
  el('span', { class: `pill s-${status}`, ...attrs }, STATUS_LABEL[status] ?? status);
const can = (role) => state.me !== null && ROLES.indexOf(state.me.role) >= ROLES.indexOf(role);

function duration(ms) {
  if (ms === null || ms === undefined || ms < 0) return '';
  if (ms < 1000) return `${ms} ms`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  return `${Math.floor(m / 60)}h ${m % 60}m`;
}
const since = (start, end) => (start ? duration((end ?? Date.now()) - start) : '');

function ago(time) {
  if (!time) return '';
  const t = typeof time === 'number' ? time : Date.parse(time);
  const s = Math.max(0, Math.round((Date.now() - t) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ago`;
  return new Date(t).toLocaleDateString();
}
const clock = (time) => new Date(time).toLocaleTimeString([], { hour12: false });

class HttpError extends Error {
  constructor(status, body) {
    super(body?.error?.message ?? `HTTP ${status}`);
    this.status = status;
  }
}

/** Calls the API with the session cookie; mutations always send JSON (see the CSRF note in auth.ts). */
async function api(method, path, body) {
  const init = { method, headers: { accept: 'application/json' }, credentials: 'same-origin' };
  if (method !== 'GET') {
    init.headers['content-type'] = 'application/json';
    init.body = JSON.stringify(body ?? {});
  }
  const response = await fetch(path, init);
  const json = await response.json().catch(() => null);
  if (response.status === 401 && path !== '/api/v1/session') {
    showLogin('Your session ended; paste a token again.');
    throw new HttpError(401, json);
  }
  if (!response.ok) throw new HttpError(response.status, json);
  return json;
}

let toastTimer;
function toast(message, bad = false) {
  const box = document.getElementById('toast');
  box.textContent = message;
  box.className = bad ? 'toast bad' : 'toast';
  box.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => {
    box.hidden = true;
  }, 4000);
}

/** Runs an action of a button: disables it meanwhile and reports the outcome. */
async function act(button, what, action) {
  button.disabled = true;
  try {
    await action();
    toast(what);
  } catch (error) {
    toast(`${error.message}`, true);
  } finally {
    button.disabled = false;
  }
}

// ---------------------------------------------------------------- session

function showLogin(message) {
  state.me = null;
  stopEvents();
  stopView();
  document.getElementById('nav').hidden = true;
  document.getElementById('who').hidden = true;
  const error = el('p', { class: 'error', id: 'login-error' }, message ?? '');
  const input = el('input', {
    type: 'password',
    id: 'token',
    name: 'token',
    placeholder: 'slw_…',
    autocomplete: 'off',
    required: true,
  });
  const form = el(
    'form',
    {
      onsubmit: async (event) => {
        event.preventDefault();
        error.textContent = '';
        try {
          state.me = await api('POST', '/api/v1/session', { token: input.value.trim() });
          input.value = '';
          await start();
        } catch (e) {
          error.textContent = e.status === 401 ? 'That token is unknown or revoked.' : e.message;
        }
      },
    },
    el('label', { for: 'token' }, 'API token'),
    input,
    el('button', { type: 'submit', class: 'primary', id: 'login' }, 'Sign in'),
    error,
  );
  document
    .getElementById('main')
    .replaceChildren(
      el(
        'div',
        { class: 'panel login' },
        el('h1', {}, 'Sign in'),
        el(
          'p',
          { class: 'muted' },
          'Paste an API token (create one with ',
          el('code', {}, 'slipway token create'),
          '). It is kept in an HttpOnly cookie, never in the page.',
        ),
        form,
      ),
    );
  input.focus();
}

async function start() {
  document.getElementById('nav').hidden = false;
  document.getElementById('who').hidden = false;
  document.getElementById('who-name').textContent = state.me.name;
  document.getElementById('who-role').textContent = state.me.role;
  state.project = await api('GET', '/api/v1/project').catch(() => null);
  document.getElementById('project-name').textContent = state.project?.name ?? '';
  startEvents();
  refreshApprovalCount();
  route();
}

// ---------------------------------------------------------------- live events

const listeners = new Set();

function startEvents() {
  stopEvents();
  const source = new EventSource('/api/v1/events/stream');
  const live = document.getElementById('live');
  source.onopen = () => live.classList.add('on');
  source.onerror = () => live.classList.remove('on');
  source.onmessage = () => {};
  const deliver = (message) => {
    const event = JSON.parse(message.data);
    for (const listener of listeners) listener(event);
    if (event.type.startsWith('approval.') || event.type.startsWith('pipelinerun.')) refreshApprovalCount();
  };
  // The stream names each event by type, so listen for the types the views care about.
  for (const type of [
    'pipelinerun.queued',
    'pipelinerun.started',
    'pipelinerun.finished',
    'taskrun.started',
    'taskrun.finished',
    'approval.requested',
    'approval.granted',
    'approval.rejected',
    'service.deployed',
    'service.upgraded',
    'service.rolledback',
    'rollout.started',
    'rollout.progressed',
    'rollout.paused',
    'rollout.completed',
    'rollout.aborted',
    'release.published',
  ])
    source.addEventListener(type, deliver);
  state.events = source;
}

function stopEvents() {
  state.events?.close();
  state.events = null;
  document.getElementById('live')?.classList.remove('on');
}

/** Calls `fn` at most once per `ms`, at the end of a burst (events come in bursts). */
function debounce(fn, ms = 120) {
  let timer;
  return () => {
    clearTimeout(timer);
    timer = setTimeout(fn, ms);
  };
}

async function refreshApprovalCount() {
  if (!state.me) return;
  try {
    const pending = await pendingApprovals();
    const badge = document.getElementById('approval-count');
    badge.textContent = String(pending.length);
    badge.hidden = pending.length === 0;
  } catch {
    // The badge is a hint; the Approvals page shows any error.
  }
}

async function pendingApprovals() {
  const { runs } = await api('GET', '/api/v1/runs?status=waiting&limit=50');
  const lists = await Promise.all(runs.map((run) => api('GET', `/api/v1/runs/${run.id}/approvals`)));
  return runs.flatMap((run, i) =>
    lists[i].approvals.filter((a) => a.status === 'pending').map((approval) => ({ run, approval })),
  );
}

// ---------------------------------------------------------------- routing

/** The current view's cleanup: event listener and timers. */
let cleanup = [];
function stopView() {
  for (const fn of cleanup) fn();
  cleanup = [];
}
function onEvent(listener) {
  listeners.add(listener);
  cleanup.push(() => listeners.delete(listener));
}
function every(ms, fn) {
  const timer = setInterval(fn, ms);
  cleanup.push(() => clearInterval(timer));
}

function route() {
  if (!state.me) return;
  stopView();
  const hash = location.hash.replace(/^#\/?/, '');
  const [page, id] = hash.split('/');
  for (const link of document.querySelectorAll('[data-nav]'))
    link.classList.toggle('active', link.dataset.nav === (page || 'runs'));
  const main = document.getElementById('main');
  const views = {
    runs: id ? (root) => runView(root, Number(id)) : runsView,
    services: servicesView,
    approvals: approvalsView,
    releases: releasesView,
  };
  const view = views[page || 'runs'] ?? runsView;
  const root = el('div', {});
  main.replaceChildren(root);
  view(root).catch((error) => {
    if (error.status !== 401) root.replaceChildren(el('div', { class: 'panel error' }, error.message));
  });
}

// ---------------------------------------------------------------- runs

async function runsView(root) {
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
    el(
      'div',
      { class: 'panel flush' },
      el(
        'table',
        {},
        el(
          'thead',
          {},
          el(
            'tr',
            {},
            ['Run', 'Status', 'Pipeline', 'Trigger', 'Commit', 'Started', 'Duration'].map((h) =>
              el('th', {}, h),
            ),
          ),
        ),
        body,
      ),
    ),
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

/** Column order of a run's stages: the project's stage order, then any others by first start. */
function stageOrder(jobs) {
  const known = (state.project?.stages ?? []).map((s) => s.name);
  const seen = [...new Set(jobs.map((j) => j.stage ?? 'jobs'))];
  return [...known.filter((s) => seen.includes(s)), ...seen.filter((s) => !known.includes(s))];
}

async function runView(root, runId) {
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
  root.append(
    title,
    el('div', { class: 'panel' }, facts),
    el('div', { class: 'panel' }, el('h2', {}, 'Stages and jobs'), graph),
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

  await render();
  const again = debounce(render);
  onEvent((event) => {
    if (event.runId !== runId) return;
    again();
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

function decisionButton(runId, environment, decision, comment) {
  const approve = decision === 'approve';
  return el(
    'button',
    {
      class: `small ${approve ? 'approve' : 'reject'}`,
      'data-decision': decision,
      'data-environment': environment,
      onclick: (e) =>
        act(e.currentTarget, `${environment} ${approve ? 'approved' : 'rejected'}`, () =>
          api(
            'POST',
            `/api/v1/runs/${runId}/approvals/${encodeURIComponent(environment)}/${decision}`,
            comment?.value ? { comment: comment.value } : {},
          ),
        ),
    },
    approve ? 'Approve' : 'Reject',
  );
}

// ---------------------------------------------------------------- approvals

async function approvalsView(root) {
  const waiting = el('div', { id: 'approvals' });
  const decided = el('tbody', {});
  root.append(
    el('h1', {}, 'Approvals'),
    waiting,
    el('h3', {}, 'Recently decided'),
    el(
      'div',
      { class: 'panel flush' },
      el(
        'table',
        {},
        el(
          'thead',
          {},
          el(
            'tr',
            {},
            ['Run', 'Environment', 'Decision', 'By', 'Comment', 'When'].map((h) => el('th', {}, h)),
          ),
        ),
        decided,
      ),
    ),
  );
  const render = async () => {
    const pending = await pendingApprovals();
    waiting.replaceChildren(
      ...pending.map(({ run, approval }) => {
        const comment = el('input', {
          type: 'text',
          placeholder: 'comment (optional)',
          'aria-label': 'comment',
        });
        return el(
          'div',
          { class: 'panel gate-card', 'data-gate': `${run.id}/${approval.environment}` },
          el(
            'div',
            { class: 'what' },
            el('strong', {}, `Deploy to ${approval.environment}`),
            ' ',
            pill('pending'),
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
                decisionButton(run.id, approval.environment, 'approve', comment),
                decisionButton(run.id, approval.environment, 'reject', comment),
              ]
            : el('span', { class: 'muted small', 'data-no-permission': true }, 'needs the approver role'),
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

// ---------------------------------------------------------------- services

async function servicesView(root) {
  const project = state.project ?? (await api('GET', '/api/v1/project'));
  const grid = el('div', { class: 'grid2' });
  root.append(el('h1', {}, 'Services'), grid);
  const cards = new Map();
  for (const service of project.services)
    for (const env of project.environments) {
      const card = el('div', { class: 'panel service-card', 'data-service': service, 'data-env': env });
      cards.set(`${service}/${env}`, { card, service, env, active: false });
      grid.append(card);
    }
  if (cards.size === 0) grid.append(el('div', { class: 'panel muted' }, 'The project defines no services.'));
  const refresh = async (entry) => {
    const base = `/api/v1/services/${encodeURIComponent(entry.service)}/environments/${encodeURIComponent(entry.env)}`;
    const [status, history] = await Promise.all([api('GET', base), api('GET', `${base}/history?limit=8`)]);
    entry.active = status.rollout !== null && ['running', 'paused'].includes(status.rollout.phase);
    renderServiceCard(entry, base, status, history.rollouts);
  };
  await Promise.all([...cards.values()].map(refresh));
  const pending = new Map();
  onEvent((event) => {
    const entry =
      event.service && event.environment ? cards.get(`${event.service}/${event.environment}`) : undefined;
    if (!entry) return;
    if (!pending.has(entry))
      pending.set(
        entry,
        debounce(() => refresh(entry).catch(() => {})),
      );
    pending.get(entry)();
  });
  // Traffic moves inside a step before its event is written; active rollouts are re-read meanwhile.
  every(2000, () => {
    for (const entry of cards.values()) if (entry.active) refresh(entry).catch(() => {});
  });
}

function renderServiceCard(entry, base, status, rollouts) {
  const { card, service, env } = entry;
  const rollout = status.rollout;
  const revisions = status.status?.revisions ?? [];
  const current =
    revisions.find((r) => r.role === 'stable')?.id ??
    [...revisions].sort((a, b) => b.weight - a.weight)[0]?.id ??
    rollouts.find((r) => r.phase === 'completed')?.revision ??
    null;
  const active = rollout && ['running', 'paused'].includes(rollout.phase);
  const roleOf = (r) =>
    r.role ?? (active && r.id === rollout.revision ? 'canary' : r.id === current ? 'stable' : 'other');

  // The bar keeps its segment nodes so widths animate from the old split to the new one.
  let bar = card.querySelector('.traffic');
  if (!bar) bar = el('div', { class: 'traffic', 'data-traffic': true });
  const shares = revisions.filter((r) => r.weight > 0 || (active && r.id === rollout.revision));
  for (const seg of [...bar.children]) if (!shares.some((r) => r.id === seg.dataset.revision)) seg.remove();
  for (const r of shares) {
    let seg = [...bar.children].find((s) => s.dataset.revision === r.id);
    if (!seg) {
      seg = el('div', { class: 'seg', 'data-revision': r.id, style: 'width:0%' });
      bar.append(seg);
    }
    seg.className = `seg ${roleOf(r)}`;
    seg.dataset.weight = String(r.weight);
    seg.textContent = r.weight >= 12 ? `${r.weight}%` : '';
    seg.title = `${r.id}: ${r.weight}%`;
    requestAnimationFrame(() => {
      seg.style.width = `${r.weight}%`;
    });
  }

  const button = (label, cls, path, body, done) =>
    el(
      'button',
      {
        class: `small ${cls}`,
        onclick: (e) => act(e.currentTarget, done, () => api('POST', `${base}/${path}`, body)),
      },
      label,
    );
  const controls = [];
  if (can('deployer')) {
    if (active) {
      controls.push(button('Promote', 'primary', 'promote', {}, 'promote requested'));
      controls.push(button('Abort', 'danger', 'abort', {}, 'abort requested'));
    } else {
      controls.push(button('Deploy', '', 'deploy', {}, 'deploy started'));
      if (rollouts.some((r) => r.phase === 'completed' && r.revision !== current))
        controls.push(button('Roll back', 'danger', 'rollback', {}, 'rollback started'));
    }
  }

  const measurements = Array.isArray(rollout?.data?.measurements) ? rollout.data.measurements : [];
  fill(
    card,
    el(
      'h2',
      {},
      service,
      el('span', { class: 'env' }, `· ${env}`),
      rollout ? pill(rollout.phase) : pill('not deployed'),
      el('span', { class: 'spacer' }),
      controls,
    ),
    el(
      'dl',
      { class: 'facts' },
      el('dt', {}, 'Current revision'),
      el('dd', { class: 'mono', 'data-current': current ?? '' }, current ?? '—'),
      rollout
        ? [
            el('dt', {}, 'Latest rollout'),
            el(
              'dd',
              {},
              `#${rollout.id} ${rollout.strategy} to `,
              el('code', {}, rollout.revision),
              active ? ` · step ${rollout.step + 1}` : '',
              rollout.reason ? ` · ${rollout.reason}` : '',
            ),
          ]
        : null,
      status.status?.url ? [el('dt', {}, 'Endpoint'), el('dd', { class: 'mono' }, status.status.url)] : null,
    ),
    el('h3', {}, 'Traffic'),
    shares.length > 0 ? bar : el('p', { class: 'muted' }, 'No traffic is routed here.'),
    el(
      'div',
      { class: 'legend' },
      shares.map((r) =>
        el(
          'span',
          {},
          el('span', { class: `dot ${roleOf(r)}` }),
          `${r.id} ${roleOf(r) === 'other' ? '' : roleOf(r)} ${r.weight}% · ${r.ready}/${r.desired} ready`,
        ),
      ),
    ),
    measurements.length > 0
      ? [
          el('h3', {}, `Analysis${rollout.data.measuredAt ? ` · ${ago(rollout.data.measuredAt)}` : ''}`),
          el(
            'table',
            { class: 'measure' },
            el(
              'thead',
              {},
              el(
                'tr',
                {},
                ['Metric', 'Value', 'Threshold', 'Verdict'].map((h) => el('th', {}, h)),
              ),
            ),
            el(
              'tbody',
              {},
              measurements.map((m) =>
                el(
                  'tr',
                  { title: m.message ?? '' },
                  el('td', { class: 'mono' }, m.metric),
                  el(
                    'td',
                    {},
                    m.value === undefined ? '—' : formatValue(m.value),
                    m.requests === undefined
                      ? ''
                      : el('span', { class: 'muted small' }, ` (${m.requests} req)`),
                  ),
                  el('td', { class: 'mono' }, m.threshold ?? '—'),
                  el('td', {}, pill(m.verdict)),
                ),
              ),
            ),
          ),
        ]
      : null,
    el('h3', {}, 'History'),
    el(
      'table',
      { class: 'measure history' },
      el(
        'tbody',
        {},
        rollouts.map((r) => historyRow(r, base, current)),
      ),
    ),
    rollouts.length === 0 ? el('p', { class: 'muted' }, 'Never deployed.') : null,
  );
}

function formatValue(value) {
  return Number.isInteger(value) ? String(value) : value.toFixed(value < 1 ? 4 : 2);
}

function historyRow(r, base, current) {
  const canRollBack = can('deployer') && r.phase === 'completed' && r.revision !== current;
  return el(
    'tr',
    { 'data-rollout': r.id },
    el('td', {}, `#${r.id}`),
    el('td', { class: 'mono' }, r.revision),
    el('td', {}, pill(r.phase)),
    el('td', { class: 'muted wrap' }, `${r.strategy} · ${r.actor} · ${ago(r.startedAt)}`),
    el(
      'td',
      {},
      canRollBack
        ? el(
            'button',
            {
              class: 'small danger',
              'data-rollback-to': r.revision,
              onclick: (e) =>
                act(e.currentTarget, `rolling back to ${r.revision}`, () =>
                  api('POST', `${base}/rollback`, { to: r.revision }),
                ),
            },
            'Roll back',
          )
        : r.revision === current && r.phase === 'completed'
          ? el('span', { class: 'muted small' }, 'current')
          : null,
    ),
  );
}

// ---------------------------------------------------------------- releases

async function releasesView(root) {
  const list = el('div', { id: 'releases' });
  root.append(el('h1', {}, 'Releases'), list);
  const render = async () => {
    const { releases } = await api('GET', '/api/v1/releases');
    list.replaceChildren(
      ...releases.map((r) =>
        el(
          'div',
          { class: 'panel', 'data-release': r.tag },
          el(
            'div',
            { class: 'release-head' },
            el('span', { class: 'tag' }, r.tag),
            r.bump ? pill(r.bump) : null,
            el(
              'span',
              { class: 'muted' },
              `${new Date(r.publishedAt).toLocaleString()} · ${r.commits} commit${r.commits === 1 ? '' : 's'} · `,
              el('code', {}, r.commit.slice(0, 8)),
            ),
            r.previous ? el('span', { class: 'muted small' }, `after ${r.previous}`) : null,
          ),
          el('div', { class: 'notes' }, renderNotes(r.notes)),
          Object.keys(r.revisions ?? {}).length > 0
            ? el(
                'div',
                { class: 'chips' },
                Object.entries(r.revisions).map(([service, rev]) =>
                  el('span', { class: 'chip mono' }, `${service} ${rev}`),
                ),
              )
            : null,
          (r.assets ?? []).length > 0
            ? el(
                'div',
                { class: 'chips' },
                r.assets.map((a) => el('span', { class: 'chip' }, a.name ?? String(a))),
              )
            : null,
        ),
      ),
    );
    if (releases.length === 0) list.append(el('div', { class: 'panel muted' }, 'No releases published yet.'));
  };
  await render();
  const again = debounce(render);
  onEvent((event) => {
    if (event.type === 'release.published') again();
  });
}

/** A small, safe subset of Markdown (headings, bullets, paragraphs, `code`) as DOM nodes. */
function renderNotes(text) {
  const nodes = [];
  let list = null;
  const inline = (line) =>
    line
      .split(/(`[^`]+`)/)
      .map((part) =>
        part.startsWith('`') && part.endsWith('`') && part.length > 1
          ? el('code', {}, part.slice(1, -1))
          : part.replace(/\*\*/g, ''),
      );
  for (const raw of (text ?? '').split('\n')) {
    const line = raw.trimEnd();
    const bullet = /^\s*[-*]\s+(.*)$/.exec(line);
    if (bullet) {
      if (!list) {
        list = el('ul', {});
        nodes.push(list);
      }
      list.append(el('li', {}, inline(bullet[1])));
      continue;
    }
    list = null;
    const heading = /^#{1,6}\s+(.*)$/.exec(line);
    if (heading) nodes.push(el('h4', {}, inline(heading[1])));
    else if (line.trim() !== '') nodes.push(el('p', {}, inline(line)));
  }
  return nodes;
}

// ---------------------------------------------------------------- boot

document.getElementById('logout').addEventListener('click', async () => {
  await fetch('/api/v1/session', {
    method: 'DELETE',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  });
  location.hash = '#/runs';
  showLogin('Logged out.');
});
window.addEventListener('hashchange', route);

async function boot() {
  try {
    state.me = await api('GET', '/api/v1/session');
    await start();
  } catch {
    showLogin();
  }
}
boot();
