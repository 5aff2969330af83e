// Unit tests of the helm command lines, compared as plain data.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  diffUpgradeArgs,
  type HelmRelease,
  pluginListArgs,
  templateArgs,
  upgradeArgs,
} from './helm-commands.js';

const WEB: HelmRelease = {
  release: 'web',
  chart: '/srv/app/charts/web',
  namespace: 'web',
  values: ['/srv/app/charts/web/values.yaml', '/srv/app/charts/web/values-prod.yaml'],
  kubeconfig: '/etc/kube/config',
  context: 'prod-cluster',
};

test('upgrade installs or upgrades atomically, with the values in order and the cluster named', () => {
  assert.deepEqual(upgradeArgs(WEB), [
    'upgrade',
    '--install',
    '--atomic',
    'web',
    '/srv/app/charts/web',
    '--namespace',
    'web',
    '--values',
    '/srv/app/charts/web/values.yaml',
    '--values',
    '/srv/app/charts/web/values-prod.yaml',
    '--kubeconfig',
    '/etc/kube/config',
    '--kube-context',
    'prod-cluster',
  ]);
});

test('the namespace is created only when asked and named; unset parts are left to helm', () => {
  assert.ok(upgradeArgs({ ...WEB, createNamespace: true }).includes('--create-namespace'));
  assert.deepEqual(upgradeArgs({ release: 'web', chart: '/c', values: [], createNamespace: true }), [
    'upgrade',
    '--install',
    '--atomic',
    'web',
    '/c',
  ]);
});

test('template renders offline for the Kubernetes release: no cluster flags', () => {
  assert.deepEqual(templateArgs(WEB, '1.35'), [
    'template',
    'web',
    '/srv/app/charts/web',
    '--namespace',
    'web',
    '--values',
    '/srv/app/charts/web/values.yaml',
    '--values',
    '/srv/app/charts/web/values-prod.yaml',
    '--kube-version',
    '1.35.0',
  ]);
});

test('helm diff upgrade previews a release even before its first install', () => {
  assert.deepEqual(diffUpgradeArgs({ release: 'web', chart: '/c', values: ['/v.yaml'], context: 'prod' }), [
    'diff',
    'upgrade',
    'web',
    '/c',
    '--values',
    '/v.yaml',
    '--allow-unreleased',
    '--kube-context',
    'prod',
  ]);
  assert.deepEqual(pluginListArgs(), ['plugin', 'list']);
});
