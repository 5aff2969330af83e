// The edge's plan from a resolved config: one backend per region (its hosts at the environment's
// port, in wave order), whole-number weights from the shares, and a clear EdgeError for every
// config that allows no edge.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadConfigText } from '../../config/load-config.js';
import type { ResolvedConfig } from '../../config/resolved.js';
import { EdgeError } from './edge-errors.js';
import { planEdge } from './edge-plan.js';

const FLEET = `hosts:
  use1-a: { address: ssh://deploy@10.1.0.11, region: us-east-1 }
  use1-b: { address: 'ssh://deploy@[fd00::12]:2222', region: us-east-1 }
  euw1-a: { address: ssh://deploy@eu-a.example.com, region: eu-west-1 }
  apse1-a: { address: ssh://deploy@10.3.0.11, region: ap-southeast-1 }
regions:
  primary: { region: us-east-1, deployment: immediate, traffic: 33.3% }
  secondary:
    - { region: eu-west-1, deployment: '+5m', traffic: 33.3% }
    - { region: ap-southeast-1, deployment: '+10m', traffic: 33.4% }
  failover: { strategy: automatic, health_threshold: 90%, switchover_time: < 10s }
services:
  web: { run: node server.mjs }
environments:
  production: { port: 8080 }
  unported: {}
  dev: { hosts: [], port: 8081 }
`;

function load(text: string): ResolvedConfig {
  const result = loadConfigText(text, 'edge');
  assert.ok(result.config, JSON.stringify(result.diagnostics));
  return result.config;
}

function edgeError(run: () => unknown, code: string, message: RegExp): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof EdgeError, String(error));
    assert.equal(error.code, code);
    assert.match(error.message, message);
    return true;
  });
}

describe('planEdge', () => {
  test('a backend per region at the environment port, weights from the shares summing to 100', () => {
    const plan = planEdge(load(FLEET), 'web', 'production');
    assert.deepEqual(plan.backends, [
      { name: 'us-east-1', upstreams: ['10.1.0.11:8080', '[fd00::12]:8080'] },
      { name: 'eu-west-1', upstreams: ['eu-a.example.com:8080'] },
      { name: 'ap-southeast-1', upstreams: ['10.3.0.11:8080'] },
    ]);
    assert.deepEqual(plan.weights, { 'us-east-1': 33, 'eu-west-1': 33, 'ap-southeast-1': 34 });
    assert.deepEqual(Object.keys(plan.shares), ['us-east-1', 'eu-west-1', 'ap-southeast-1']);
    assert.equal(plan.port, 8080);
    assert.deepEqual(plan.failover, { strategy: 'automatic', healthThreshold: 0.9, switchoverMs: 10_000 });
  });

  test('unknown names and environments that allow no edge are EdgeErrors that say why', () => {
    const config = load(FLEET);
    edgeError(
      () => planEdge(config, 'web', 'prod'),
      'unknown_environment',
      /no environment 'prod'.*production/,
    );
    edgeError(() => planEdge(config, 'api', 'production'), 'unknown_service', /no service 'api'.*known: web/);
    edgeError(() => planEdge(config, 'web', 'dev'), 'no_fleet', /'dev' has no hosts in regions/);
    edgeError(() => planEdge(config, 'web', 'unported'), 'no_port', /sets no port/);
    const upper = load(FLEET.replaceAll('ap-southeast-1', 'AP_SE1'));
    edgeError(() => planEdge(upper, 'web', 'production'), 'invalid_region', /region 'AP_SE1'/);
  });
});
