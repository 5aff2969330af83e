// Dashboard entry (no framework, no build): login, the event stream, hash routing to the views, boot.
import { api, onSessionEnded, pendingApprovals, state } from './api.js';
import { approvalsView } from './approvals-view.js';
import { deliveryView } from './delivery-view.js';
import { el } from './dom.js';
import { gitopsView } from './gitops-view.js';
import { publish, stopView } from './live.js';
import { releasesView } from './releases-view.js';
import { runView } from './run-view.js';
import { runsView } from './runs-view.js';
import { servicesView } from './services-view.js';

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

function startEvents() {
  stopEvents();
  const source = new EventSource('/api/v1/events/stream');
  const live = document.getElementById('live');
  source.onopen = () => live.classList.add('on');
  source.onerror = () => live.classList.remove('on');
  source.onmessage = () => {};
  const deliver = (message) => {
    const event = JSON.parse(message.data);
    publish(event);
    if (event.type.startsWith('approval.') || event.type.startsWith('pipelinerun.')) refreshApprovalCount();
  };
  // The stream names each event by type, so listen for the types the views care about.
  for (const type of [
    'pipelinerun.queued',
    'pipelinerun.started',
    'pipelinerun.finished',
    'taskrun.started',
    'taskrun.finished',
    'findings.recorded',
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
    'incident.detected',
    'incident.resolved',
  ])
    source.addEventListener(type, deliver);
  state.events = source;
}

function stopEvents() {
  state.events?.close();
  state.events = null;
  document.getElementById('live')?.classList.remove('on');
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

// ---------------------------------------------------------------- routing

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
    gitops: gitopsView,
    delivery: deliveryView,
  };
  const view = views[page || 'runs'] ?? runsView;
  const root = el('div', {});
  main.replaceChildren(root);
  view(root).catch((error) => {
    if (error.status !== 401) root.replaceChildren(el('div', { class: 'panel error' }, error.message));
  });
}

// ---------------------------------------------------------------- boot

onSessionEnded(() => showLogin('Your session ended; paste a token again.'));
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
