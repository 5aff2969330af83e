// A service card: rollout controls, traffic bar, analysis, rollout history and rollback.
import { api, can } from './api.js';
import { act, el, fill, pill } from './dom.js';
import { ago, formatValue } from './format.js';

export function renderServiceCard(entry, base, status, rollouts) {
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
