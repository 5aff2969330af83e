// `slipway host setup HOST` end to end, against real sshd servers in network namespaces: it checks the
// host, ships Slipway's runtime files into that host's folder only, points `current` at them and runs
// `slipway --version` there; a second setup sends nothing. Shipping reads the built dist/ (npm test
// builds it first).
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { main } from '../../src/cli/main.js';
import { captureIo } from '../helpers/capture-io.js';
import { createNamespaceHosts, type NamespaceHosts, namespaceHostsSkip } from '../helpers/namespace-hosts.js';

const VERSION = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

interface SetupJson {
  host: string;
  node: string;
  digest: string;
  status: string;
  filesSent: number;
  bytesSent: number;
  path: string;
  version: string;
}

describe('slipway host setup', { timeout: 180_000, skip: namespaceHostsSkip() }, () => {
  let lab: NamespaceHosts;
  let project: string;
  let knownHosts: string;

  before(async () => {
    assert.ok(
      existsSync(new URL('../../dist/bundle/main.js', import.meta.url)),
      'dist/ is not built: run npm run build first',
    );
    lab = await createNamespaceHosts(3, { withoutNode: [3] });
    project = lab.scratch;
    knownHosts = join(project, 'known_hosts');
    writeFileSync(knownHosts, lab.hosts.map((h) => lab.knownHostsLines(h)).join(''));
    const [a, b, c] = lab.hosts;
    writeFileSync(
      join(project, 'slipway.yaml'),
      [
        'jobs:',
        '  build: { run: "true" }',
        'hosts:',
        `  use1-a: { address: ssh://root@${a!.address}, region: us-east-1 }`,
        `  use1-b: { address: ssh://root@${b!.address}, region: us-east-1 }`,
        `  use1-c: { address: ssh://root@${c!.address}, region: us-east-1 }`,
        '',
      ].join('\n'),
    );
  });
  after(async () => lab?.cleanup());

  const slipway = async (...args: string[]) => {
    const io = captureIo(project, { ...process.env, NO_COLOR: '1' });
    const code = await main([...args, '--known-hosts', knownHosts, '--identity', lab.clientKey], io);
    return { code, out: io.out(), err: io.err() };
  };
  const installed = (i: number) => join(lab.hosts[i]!.dir, '.slipway');

  test('ships the runtime files to a fresh host, points current at them, and slipway runs there', async () => {
    const started = Date.now();
    const run = await slipway('host', 'setup', 'use1-a', '--json');
    assert.equal(run.code, 0, run.err + run.out);
    const result = JSON.parse(run.out) as SetupJson;
    assert.equal(result.host, 'use1-a');
    assert.match(result.node, /^v\d+\./);
    assert.equal(result.status, 'shipped');
    assert.ok(result.filesSent > 100, `only ${result.filesSent} files sent`);
    assert.ok(result.bytesSent > 1_000_000, `only ${result.bytesSent} bytes sent`);
    assert.equal(result.version, VERSION);
    assert.equal(result.path, join(installed(0), 'current'));
    assert.equal(readlinkSync(result.path), `revisions/${result.digest}`);
    const tree = join(installed(0), 'revisions', result.digest);
    assert.ok(existsSync(join(tree, 'bin/slipway.js')));
    assert.ok(existsSync(join(tree, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node')));
    assert.ok(existsSync(join(tree, 'node_modules/bindings/package.json')), 'a dependency of an external');
    assert.equal(existsSync(join(tree, 'node_modules/zod')), false, 'a package the bundle holds was shipped');
    assert.equal(existsSync(join(tree, 'dist/cli')), false, 'the unbundled program was shipped');
    assert.equal(existsSync(join(tree, 'node_modules/typescript')), false, 'a devDependency was shipped');
    assert.equal(existsSync(join(tree, 'src')), false, 'sources were shipped');
    assert.equal(existsSync(installed(1)), false, "another host's folder got files");
    assert.equal(existsSync(installed(2)), false, "another host's folder got files");
    process.stderr.write(
      `  first setup: ${result.filesSent} files, ${result.bytesSent} bytes in ${Date.now() - started} ms\n`,
    );
  });

  test('a second setup sends nothing and says so', async () => {
    const started = Date.now();
    const run = await slipway('host', 'setup', 'use1-a');
    assert.equal(run.code, 0, run.err + run.out);
    assert.match(run.out, /already there; sent nothing/);
    assert.match(run.out, new RegExp(`printed ${VERSION.replaceAll('.', '\\.')}, as expected`));
    const json = await slipway('host', 'setup', 'use1-a', '--json');
    const result = JSON.parse(json.out) as SetupJson;
    assert.equal(result.status, 'present');
    assert.equal(result.filesSent, 0);
    assert.equal(result.bytesSent, 0);
    process.stderr.write(`  second setups: ${Date.now() - started} ms for two\n`);
  });

  test('a host without Node.js on its PATH fails naming it, and nothing is shipped', async () => {
    const run = await slipway('host', 'setup', 'use1-c');
    assert.equal(run.code, 1, run.err + run.out);
    assert.match(
      run.err,
      /host use1-c .* lacks Node\.js >= 20 on its PATH \(found: none\); install it, e\.g\. apt-get install nodejs/,
    );
    assert.match(run.err, /sha256sum, find, sort/);
    assert.equal(existsSync(installed(2)), false, 'files were shipped to a host that is not ready');
  });

  test('a host slipway.yaml does not name is a usage error', async () => {
    const run = await slipway('host', 'setup', 'use1-z');
    assert.equal(run.code, 2, run.err);
    assert.match(run.err, /unknown host 'use1-z' \(hosts in slipway\.yaml: use1-a, use1-b, use1-c\)/);
  });

  test('an unreachable host fails with the SSH error naming it', async () => {
    const host = lab.hosts[1]!;
    lab.setLinkDown(host);
    try {
      const run = await slipway('host', 'setup', 'use1-b');
      assert.equal(run.code, 1, run.err + run.out);
      assert.match(run.err, new RegExp(`use1-b \\(root@${host.address.replaceAll('.', '\\.')}`));
      assert.equal(existsSync(installed(1)), false);
    } finally {
      lab.setLinkUp(host);
    }
  });
});
