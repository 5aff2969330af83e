// Unit tests of helmTemplateSources on text in the shape `helm template` prints.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { helmTemplateSources } from './helm-template-sources.js';

const OUTPUT = `---
# Source: web/templates/service.yaml
apiVersion: v1
kind: Service
metadata:
  name: web
---
# Source: web/templates/workloads.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
---
# Source: web/templates/workloads.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: worker
data:
  script: |
    echo a
    ---
    echo b
---
# Source: web/charts/redis/templates/redis.yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: redis
`;

test('one source per template, in order of first appearance, named by its file in the chart', () => {
  const sources = helmTemplateSources(OUTPUT, '/srv/app/charts/web');
  assert.deepEqual(
    sources.map((s) => [s.file, s.origin, (s.text.match(/^kind: /gm) ?? []).length]),
    [
      ['/srv/app/charts/web/templates/service.yaml', 'helm', 1],
      ['/srv/app/charts/web/templates/workloads.yaml', 'helm', 2],
      ['/srv/app/charts/web/charts/redis/templates/redis.yaml', 'helm', 1],
    ],
  );
  // An indented --- inside a block scalar is content, not a document break.
  assert.match(sources[1]?.text ?? '', / {4}---\n {4}echo b/);
});

test('output without Source lines is one source named by the chart; nothing is nothing', () => {
  assert.deepEqual(helmTemplateSources('kind: A\n---\nkind: B\n', '/c'), [
    { file: '/c', origin: 'helm', text: 'kind: A\n---\nkind: B\n' },
  ]);
  assert.deepEqual(helmTemplateSources('', '/c'), []);
});
