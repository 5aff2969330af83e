// Services page: one card per service and environment, refreshed by events and during rollouts.
import { api, state } from './api.js';
import { el } from './dom.js';
import { debounce, every, onEvent } from './live.js';
import { renderServiceCard } from './service-card.js';

export async function servicesView(root) {
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
