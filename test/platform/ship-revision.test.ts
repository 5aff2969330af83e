/** Shipping revisions content-addressed to real sshd servers in network namespaces (test/helpers/namespace-hosts.ts). */
import assert from 'node:assert/strict';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { buildRevisionManifest, type RevisionManifest } from '../../src/platform/ssh/revision-manifest.js';
import { ShipError } from '../../src/platform/ssh/ship-errors.js';
import { type ShipResult, type ShipSource, shipRevision } from '../../src/platform/ssh/ship-revision.js';
import { shipToHosts } from '../../src/platform/ssh/ship-to-hosts.js';
import type { SshClientOptions } from '../../src/platform/ssh/ssh-target.js';
import { SshTransport } from '../../src/platform/ssh/ssh-transport.js';
import {
  createNamespaceHosts,
  type NamespaceHost,
  type NamespaceHosts,
  namespaceHostsSkip,
} from '../helpers/namespace-hosts.js';

const CLIENT: SshClientOptions = { configFile: '/dev/null', connectTimeoutSeconds: 2 };
const FILES = 120;

/** Every path under `dir` (files only, `/`-separated), sorted. */
function listTree(dir: string, rel = ''): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(dir, rel)).sort()) {
    const path = rel === '' ? name : `${rel}/${name}`;
    if (statSync(join(dir, path)).isDirectory()) out.push(...listTree(dir, path));
    else out.push(path);
  }
  return out.sort();
}

/** Flips one byte of the stream at `offset`. */
function flipByteAt(offset: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      if (offset >= seen && offset < seen + chunk.length) {
        const copy = Buffer.from(chunk);
        copy[offset - seen] = (copy[offset - seen] as number) ^ 0xff;
        chunk = copy;
      }
      seen += chunk.length;
      done(null, chunk);
    },
  });
}

describe('shipping revisions to namespace hosts', { timeout: 180_000, skip: namespaceHostsSkip() }, () => {
  let lab: NamespaceHosts;
  let known: string;
  const transports = new Map<string, SshTransport>();
  let sources = 0;

  before(async () => {
    lab = await createNamespaceHosts(4, { withoutNode: [4] });
    known = join(lab.scratch, 'known_hosts');
    writeFileSync(known, lab.hosts.map((h) => lab.knownHostsLines(h)).join(''));
  });
  after(async () => {
    for (const transport of transports.values()) await transport.close();
    await lab?.cleanup();
  });

  const host = (i: number): NamespaceHost => lab.hosts[i - 1] as NamespaceHost;
  const transport = (h: NamespaceHost): SshTransport => {
    let made = transports.get(h.name);
    if (made === undefined) {
      made = new SshTransport(
        { ...h.target, knownHostsFile: known, identityFile: lab.clientKey },
        { client: CLIENT, controlParent: lab.scratch },
      );
      transports.set(h.name, made);
    }
    return made;
  };
  /** A source folder of FILES files (nested, one executable, spaced names, an empty file), `changes` overriding some. */
  const makeSource = async (changes: Record<string, string> = {}): Promise<ShipSource> => {
    const dir = join(lab.scratch, `src-${++sources}`);
    for (let i = 0; i < FILES; i++) {
      const path = join(dir, `pkg-${i % 6}`, `sub ${i % 3}`, `file-${i}.txt`);
      mkdirSync(join(path, '..'), { recursive: true });
      writeFileSync(path, `file ${i}\n${'x'.repeat(i * 37)}\n`);
    }
    writeFileSync(join(dir, 'start.sh'), '#!/bin/sh\necho started\n');
    chmodSync(join(dir, 'start.sh'), 0o755);
    writeFileSync(join(dir, 'empty'), '');
    for (const [path, content] of Object.entries(changes)) writeFileSync(join(dir, path), content);
    return { dir, manifest: await buildRevisionManifest(dir) };
  };
  const revisionDir = (h: NamespaceHost, manifest: RevisionManifest) =>
    join(h.dir, 'revisions', manifest.digest);
  const objects = (h: NamespaceHost) => readdirSync(join(h.dir, 'objects')).length;
  const rejectsWith = async (work: Promise<unknown>, code: string): Promise<ShipError> => {
    const caught: unknown = await work.then(
      () => undefined,
      (error: unknown) => error,
    );
    assert.ok(caught instanceof ShipError, `expected a ShipError ${code}, got ${String(caught)}`);
    assert.equal(caught.code, code, caught.message);
    return caught;
  };
  const assertTreeMatches = (h: NamespaceHost, source: ShipSource) => {
    const tree = revisionDir(h, source.manifest);
    assert.ok(existsSync(join(tree, '.complete')), 'marked complete');
    assert.deepEqual(
      listTree(tree).filter((p) => p !== '.complete'),
      source.manifest.files.map((f) => f.path).sort(),
    );
    for (const file of source.manifest.files) {
      assert.ok(
        readFileSync(join(tree, file.path)).equals(readFileSync(join(source.dir, file.path))),
        file.path,
      );
      assert.equal(
        (statSync(join(tree, file.path)).mode & 0o100) !== 0,
        file.executable,
        `x bit of ${file.path}`,
      );
    }
  };
  const distinct = (source: ShipSource) => new Set(source.manifest.files.map((f) => f.sha256)).size;
  const shipped = (result: ShipResult, label: string) =>
    `${label}: ${result.status} ${result.filesSent} files, ${result.bytesSent} bytes in ${result.ms} ms`;

  let first: ShipSource;

  test('a first ship sends every file, and the tree matches byte for byte in that host’s dir only', async (t) => {
    first = await makeSource();
    const result = await shipRevision(transport(host(1)), first, host(1).dir);
    t.diagnostic(shipped(result, 'first ship'));
    assert.equal(result.status, 'shipped');
    assert.equal(result.filesSent, distinct(first));
    assert.equal(
      result.blobBytes,
      first.manifest.files.reduce((sum, f) => sum + f.size, 0),
    );
    assert.equal(result.hostReceivedBlobs, result.filesSent, 'the host counted the same blobs');
    assert.equal(result.hostReceivedBytes, result.bytesSent, 'the host received the archive we sent');
    assertTreeMatches(host(1), first);
    assert.equal(statSync(join(revisionDir(host(1), first.manifest), 'start.sh')).mode & 0o777, 0o500);
    assert.deepEqual(readdirSync(join(host(1).dir, 'staging')), [], 'no staging leftovers');
    for (const other of [host(2), host(3), host(4)]) assert.deepEqual(readdirSync(other.dir), [], other.name);
  });

  test('a revision that changes one file of many sends only that file', async (t) => {
    const second = await makeSource({ 'pkg-1/sub 1/file-7.txt': 'changed content\n' });
    assert.notEqual(second.manifest.digest, first.manifest.digest);
    const before = objects(host(1));
    const result = await shipRevision(transport(host(1)), second, host(1).dir);
    t.diagnostic(shipped(result, 'one changed file'));
    assert.equal(result.filesSent, 1);
    assert.equal(result.blobBytes, 'changed content\n'.length);
    const manifestBytes = second.manifest.files.reduce((sum, f) => sum + 68 + Buffer.byteLength(f.path), 0);
    // One header and one block of content for the blob, the manifest, and the two closing blocks.
    assert.equal(result.bytesSent, 512 + 512 + 512 + Math.ceil(manifestBytes / 512) * 512 + 1024);
    assert.deepEqual([result.hostReceivedBlobs, result.hostReceivedBytes], [1, result.bytesSent]);
    assert.equal(objects(host(1)), before + 1, 'one new blob in the host’s objects');
    assertTreeMatches(host(1), second);
    assertTreeMatches(host(1), first);
  });

  test('shipping a revision the host already has sends nothing', async () => {
    const result = await shipRevision(transport(host(1)), first, host(1).dir);
    assert.equal(result.status, 'present');
    assert.deepEqual([result.filesSent, result.bytesSent, result.hostReceivedBytes], [0, 0, 0]);
  });

  test('a blob damaged in transit is refused with its path, and nothing is installed', async () => {
    const source = await makeSource({ 'pkg-0/sub 0/file-0.txt': 'damaged on the way\n' });
    const before = readdirSync(join(host(1).dir, 'objects')).sort();
    // Only the changed file is sent: byte 512 + 3 is inside its content.
    const error = await rejectsWith(
      shipRevision(transport(host(1)), source, host(1).dir, {
        tapArchive: (archive) => archive.pipe(flipByteAt(512 + 3)),
      }),
      'SHIP_BLOB_CORRUPT',
    );
    assert.equal(error.host, 'host-1');
    assert.deepEqual(error.paths, ['pkg-0/sub 0/file-0.txt']);
    assert.match(error.message, /host-1 .*pkg-0\/sub 0\/file-0\.txt.*wrong SHA-256.*nothing was installed/);
    assert.equal(existsSync(revisionDir(host(1), source.manifest)), false, 'no revision tree');
    assert.deepEqual(readdirSync(join(host(1).dir, 'objects')).sort(), before, 'no blob installed');
    assert.deepEqual(readdirSync(join(host(1).dir, 'staging')), [], 'staging cleaned');
    const again = await shipRevision(transport(host(1)), source, host(1).dir);
    assert.equal(again.filesSent, 1, 'the next ship sends it again');
    assertTreeMatches(host(1), source);
  });

  test('a wrong blob already in the host’s objects fails the digest check and is forgotten', async () => {
    const source = await makeSource({ 'pkg-5/sub 2/file-5.txt': 'planted\n' });
    const planted = source.manifest.files.find((f) => f.path === 'pkg-5/sub 2/file-5.txt')?.sha256 as string;
    mkdirSync(join(host(2).dir, 'objects'), { recursive: true });
    writeFileSync(join(host(2).dir, 'objects', planted), 'not what the name says\n');
    const error = await rejectsWith(
      shipRevision(transport(host(2)), source, host(2).dir),
      'SHIP_DIGEST_MISMATCH',
    );
    assert.equal(error.host, 'host-2');
    assert.deepEqual(error.paths, ['pkg-5/sub 2/file-5.txt']);
    assert.equal(existsSync(revisionDir(host(2), source.manifest)), false, 'not marked complete');
    assert.equal(existsSync(join(host(2).dir, 'objects', planted)), false, 'the damaged blob was removed');
    const again = await shipRevision(transport(host(2)), source, host(2).dir);
    assert.equal(again.status, 'shipped');
    assertTreeMatches(host(2), source);
  });

  test('a host without sha256sum is refused with the tools it lacks', async () => {
    const error = await rejectsWith(
      shipRevision(transport(host(4)), first, host(4).dir),
      'SHIP_TOOLS_MISSING',
    );
    assert.equal(error.kind, 'unavailable');
    assert.match(error.message, /^Host host-4 \(root@[\d.]+:22\) lacks sha256sum, .*find/);
    assert.deepEqual(readdirSync(host(4).dir), [], 'nothing written');
  });

  test('a host whose store cannot be written fails with the host’s reason', async () => {
    writeFileSync(join(host(3).dir, 'objects'), 'a file where a folder should be');
    try {
      const error = await rejectsWith(
        shipRevision(transport(host(3)), first, host(3).dir),
        'SHIP_HOST_WRITE_FAILED',
      );
      assert.equal(error.host, 'host-3');
      assert.match(error.message, /host-3 .*mkdir failed: .*(File exists|Not a directory)/);
    } finally {
      rmSync(join(host(3).dir, 'objects'));
    }
  });

  test('three hosts are shipped in parallel, each reported apart', async (t) => {
    const source = await makeSource({ 'pkg-3/sub 0/file-3.txt': 'parallel\n' });
    const started = Date.now();
    const results = await shipToHosts(
      [host(1), host(2), host(3)].map((h) => ({ transport: transport(h), remoteDir: h.dir })),
      source,
    );
    const wall = Date.now() - started;
    let sum = 0;
    for (const result of results) {
      if (result.status === 'failed') assert.fail(`${result.host}: ${String(result.error)}`);
      assert.equal(result.status, 'shipped');
      t.diagnostic(shipped(result, result.host));
      sum += result.ms;
    }
    t.diagnostic(`wall time for three hosts: ${wall} ms (sum of hosts: ${sum} ms)`);
    assert.ok(wall < sum, 'the hosts overlapped in time');
    assert.deepEqual(
      results.map((r) => r.host),
      ['host-1', 'host-2', 'host-3'],
    );
    const [one, two, three] = results as ShipResult[];
    assert.equal(one?.filesSent, 1, 'host-1 had all but the changed file');
    assert.equal(three?.filesSent, distinct(source), 'host-3 had nothing');
    assert.ok((two?.filesSent ?? 0) > 1);
    for (const h of [host(1), host(2), host(3)]) assertTreeMatches(h, source);
    assert.deepEqual(readdirSync(host(4).dir), [], 'the fourth host got nothing');
  });
});
