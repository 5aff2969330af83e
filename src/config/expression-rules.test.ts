import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatDiagnostic } from './diagnostic.js';
import { loadConfigText } from './load-config.js';

const render = (text: string) =>
  loadConfigText(text).diagnostics.map((d) => formatDiagnostic('slipway.yaml', d));

test('a context Slipway does not have is reported where the expression is, as Actions does', () => {
  assert.deepEqual(
    render(`jobs:
  build:
    run: |
      make
      echo \${{ github.ref }}
    if: \${{ matrix.os == 'linux' && steps.x.outputs.y }}
`),
    [
      "slipway.yaml:3:10: error: jobs.build.run: invalid expression: Unrecognized named-value: 'github' at line 2, column 10",
      "slipway.yaml:6:9: error: jobs.build.if: invalid condition: Unrecognized named-value: 'steps' at column 29",
    ],
  );
});

test("GitHub's functions, case() included, and Slipway's status functions pass the config checks", () => {
  assert.deepEqual(
    render(`jobs:
  build:
    run: echo \${{ case(git.branch == 'main', 'prod', 'dev') }} \${{ toJSON(fromJSON('[1]')) }}
    if: \${{ always() && !cancelled() || failure() && success() }}
`),
    [],
  );
});
