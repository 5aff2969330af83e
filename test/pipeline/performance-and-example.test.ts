// Start-up cost of `slipway run` on a one-job pipeline, and the example project's config.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runSlipway, show } from './helpers/cli.js';
import { createProject } from './helpers/project.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

describe('performance and the example project', () => {
  // The 0.5 s target is measured on a quiet machine by `npm run bench:pipeline` (one_job_s). Here other
  // test files run alongside, so the bound is the best of 5 under 1 s: it still catches a start-up
  // regression (such as eagerly loading every command's dependencies) without failing on a busy machine.
  test('a one-job pipeline (`run: true`) starts and finishes quickly (best of 5 under 1 s)', async (t) => {
    const project = createProject(t, 'one-true-job.yaml');
    const walls: number[] = [];
    for (let i = 0; i < 5; i++) {
      const result = await project.run(['run']);
      assert.equal(result.code, 0, show(result));
      walls.push(Math.round(result.ms));
    }
    const best = Math.min(...walls);
    t.diagnostic(`one-job run wall times (ms): ${walls.join(', ')}; best ${best}`);
    assert.ok(best < 1000, `best ${best}ms over 5 runs (${walls.join(', ')}ms)`);
  });

  test('examples/hello/slipway.yaml is valid', async () => {
    const result = await runSlipway(REPO, ['validate', '-f', 'examples/hello/slipway.yaml']);
    assert.equal(result.code, 0, show(result));
    assert.match(result.stdout, /valid/);
  });
});
