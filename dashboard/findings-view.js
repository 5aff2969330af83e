// A run's security findings on its page: counts per severity, each job's gate, then the findings
// grouped by severity (most severe first), each linking to its file where the repository is known.
// Everything shown comes from scanner output, so it is only ever set as text (el), never as HTML.
import { api } from './api.js';
import { el, fill, tablePanel } from './dom.js';

const SEVERITIES = ['critical', 'high', 'medium', 'low'];
/** Findings listed per severity; the rest are counted (the CLI lists them all). */
const SHOWN_PER_SEVERITY = 200;

const title = (word) => word.charAt(0).toUpperCase() + word.slice(1);

/**
 * The web link of a finding's file and line under `blobUrl` (the run commit's files, as the API
 * gives it), or null when there is none: no base, or a path that is absolute, a URI, or climbs out.
 */
export function fileHref(blobUrl, location) {
  if (typeof blobUrl !== 'string' || !/^https?:\/\//.test(blobUrl) || !location?.file) return null;
  const file = location.file;
  const segments = file.split('/');
  if (/^[a-z][a-z0-9+.-]*:/i.test(file) || segments.some((s) => s === '' || s === '.' || s === '..'))
    return null;
  const line = Number.isInteger(location.line) && location.line > 0 ? `#L${location.line}` : '';
  return `${blobUrl}/${segments.map(encodeURIComponent).join('/')}${line}`;
}

/** `path:line`, or the path alone. */
export function fileText(location) {
  return location.line ? `${location.file}:${location.line}` : location.file;
}

/** The last gate of each job, in the order jobs first gated (a retried job gates again). */
function latestGates(gates) {
  const byJob = new Map();
  for (const gate of gates) byJob.set(gate.job, gate);
  return [...byJob.values()];
}

function gateRow(gate) {
  const passed = gate.gate === 'passed';
  return el(
    'tr',
    { 'data-gate-job': gate.job, 'data-gate': gate.gate },
    el('td', {}, el('code', {}, gate.job)),
    el(
      'td',
      {},
      el('span', { class: `pill ${passed ? 's-success' : 's-failure'}` }, passed ? 'passed' : 'failed'),
    ),
    el(
      'td',
      { 'data-gate-threshold': gate.failOn },
      gate.failOn === 'none' ? 'never' : `${gate.failOn} and above`,
    ),
    el('td', { 'data-gate-new-only': String(Boolean(gate.newOnly)) }, gate.newOnly ? 'yes' : 'no'),
    el('td', { 'data-gate-counted': gate.counted ?? 0 }, String(gate.counted ?? 0)),
    el('td', { 'data-gate-suppressed': gate.suppressed ?? 0 }, String(gate.suppressed ?? 0)),
  );
}

function findingItem(finding, blobUrl, jobs) {
  const href = finding.location ? fileHref(blobUrl, finding.location) : null;
  const where = finding.location
    ? href
      ? el(
          'a',
          { class: 'finding-file mono', href, target: '_blank', rel: 'noopener noreferrer' },
          fileText(finding.location),
        )
      : el('span', { class: 'finding-file mono' }, fileText(finding.location))
    : el('span', { class: 'finding-file muted' }, 'no location');
  return el(
    'li',
    { class: 'finding', 'data-finding': finding.id, 'data-status': finding.status },
    el(
      'div',
      { class: 'finding-head' },
      el('code', { class: 'finding-rule' }, finding.rule),
      el('span', { class: 'muted small' }, finding.tool),
      jobs > 1 ? el('span', { class: 'muted small' }, `· ${finding.jobKey}`) : null,
      el('span', { class: `finding-status st-${finding.status}` }, finding.status),
      where,
    ),
    el('div', { class: 'finding-message' }, finding.message),
  );
}

function severityGroup(severity, findings, blobUrl, jobs, runId) {
  const shown = findings.slice(0, SHOWN_PER_SEVERITY);
  const more = findings.length - shown.length;
  return el(
    'section',
    { class: 'finding-group', 'data-severity': severity },
    el('h3', {}, `${title(severity)} (${findings.length})`),
    el(
      'ul',
      { class: 'finding-list' },
      shown.map((f) => findingItem(f, blobUrl, jobs)),
      more > 0 ? el('li', { class: 'muted small' }, `… and ${more} more (slipway findings ${runId})`) : null,
    ),
  );
}

/** The findings panel of run `runId`: hidden until a job of the run records findings; `refresh` reloads it. */
export function findingsPanel(runId) {
  const panel = el('div', { class: 'panel', id: 'findings', hidden: true });
  let loading = null;
  const load = async () => {
    const doc = await api('GET', `/api/v1/runs/${runId}/findings`);
    const gates = latestGates(doc.gates);
    if (gates.length === 0 && doc.findings.length === 0) {
      panel.hidden = true;
      return;
    }
    const bySeverity = Object.fromEntries(
      SEVERITIES.map((s) => [s, doc.findings.filter((f) => f.severity === s)]),
    );
    const jobs = new Set(doc.findings.map((f) => f.jobKey)).size;
    fill(
      panel,
      el('h2', {}, 'Findings'),
      el(
        'div',
        { class: 'finding-counts', 'data-finding-counts': true },
        SEVERITIES.map((s) =>
          el(
            'span',
            {
              class: `severity-count sev-${s}`,
              'data-severity-count': s,
              'data-total': bySeverity[s].length,
              'data-counted': doc.counts[s] ?? 0,
            },
            el('strong', {}, String(bySeverity[s].length)),
            ` ${s}`,
            el('span', { class: 'muted small' }, ` · ${doc.counts[s] ?? 0} counted`),
          ),
        ),
      ),
      gates.length > 0
        ? tablePanel(
            ['Job', 'Gate', 'Fails on', 'New only', 'Counted', 'Suppressed'],
            el('tbody', { 'data-gates': true }, gates.map(gateRow)),
          )
        : null,
      SEVERITIES.filter((s) => bySeverity[s].length > 0).map((s) =>
        severityGroup(s, bySeverity[s], doc.blobUrl, jobs, runId),
      ),
      doc.findings.length === 0 ? el('p', { class: 'muted' }, 'No findings.') : null,
    );
    panel.hidden = false;
  };
  // A refresh asked for while one is under way runs once more after it, so the last event wins.
  let again = false;
  const refresh = async () => {
    if (loading) {
      again = true;
      return loading;
    }
    loading = (async () => {
      try {
        do {
          again = false;
          await load();
        } while (again);
      } catch (error) {
        if (error.status === 401) return;
        fill(panel, el('h2', {}, 'Findings'), el('p', { class: 'error' }, error.message));
        panel.hidden = false;
      } finally {
        loading = null;
      }
    })();
    return loading;
  };
  return { panel, refresh };
}
