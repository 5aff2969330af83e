// Releases page: published releases with their notes, service revisions and assets.
import { api } from './api.js';
import { el, pill } from './dom.js';
import { debounce, onEvent } from './live.js';

export async function releasesView(root) {
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
