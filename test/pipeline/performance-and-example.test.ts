// Start-up cost of `slipway run` on a one-job pipeline, and the example project's config.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runSlipway, show } from './helpers/cli.js';
import { createProject } from './helpers/project.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

describe('performance and the example project', () => {
  // BUG: (performance) the median wall time of a one-job `slipway run` is over 0.5 s: see the report's numbers.
  test('a one-job pipeline (`run: true`) finishes in under 0.5 s wall (median of 5)', async (t) => {
    const project = createProject(t, 'one-true-job.yaml');
    const walls: number[] = [];
    for (let i = 0; i < 5; i++) {
      const result = await project.run(['run']);
      assert.equal(result.code, 0, show(result));
      walls.push(Math.round(result.ms));
    }
    const median = [...walls].sort((a, b) => a - b)[2]!;
    t.diagnostic(`one-job run wall times (ms): ${walls.join(', ')}; median ${median}`);
    assert.ok(median < 500, `median ${median}ms over 5 runs (${walls.join(', ')}ms)`);
  });

  test('examples/hello/slipway.yaml is valid', async () => {
    const result = await runSlipway(REPO, ['validate', '-f', 'examples/hello/slipway.yaml']);
    assert.equal(result.code, 0, show(result));
    assert.match(result.stdout, /valid/);
  });
});
