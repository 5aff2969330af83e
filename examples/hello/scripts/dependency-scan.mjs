// Dependency scan: the service promises zero runtime dependencies. Fails when package.json
// declares any runtime dependency, when a dev dependency is not pinned to an exact version, or
// when package-lock.json (if present) locks a runtime package or a package without an integrity hash.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CheckError, root, runCheck } from './_lib.mjs';

const RUNTIME_FIELDS = [
  'dependencies',
  'optionalDependencies',
  'peerDependencies',
  'bundleDependencies',
  'bundledDependencies',
];
const EXACT_VERSION = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;

function readJson(file) {
  try {
    return JSON.parse(readFileSync(join(root, file), 'utf8'));
  } catch (error) {
    throw new CheckError(`cannot read ${file}: ${error.message}`);
  }
}

const count = (value) => (Array.isArray(value) ? value.length : Object.keys(value ?? {}).length);

runCheck('dependency-scan', () => {
  const problems = [];
  const pkg = readJson('package.json');

  for (const field of RUNTIME_FIELDS) {
    const names = Array.isArray(pkg[field]) ? pkg[field] : Object.keys(pkg[field] ?? {});
    console.log(`  package.json ${field}: ${names.length}`);
    for (const name of names)
      problems.push(`package.json ${field} declares ${name}: the service must have no runtime dependencies`);
  }
  const dev = pkg.devDependencies ?? {};
  console.log(`  package.json devDependencies: ${count(dev)} (must be pinned to exact versions)`);
  for (const [name, range] of Object.entries(dev)) {
    if (!EXACT_VERSION.test(range))
      problems.push(`package.json devDependencies ${name}@${range} is not pinned to an exact version`);
  }

  if (existsSync(join(root, 'package-lock.json'))) {
    const lock = readJson('package-lock.json');
    const packages = Object.entries(lock.packages ?? {}).filter(([path]) => path !== '');
    console.log(`  package-lock.json packages: ${packages.length}`);
    for (const [path, entry] of packages) {
      if (!entry.dev)
        problems.push(`package-lock.json locks ${path}@${entry.version} as a runtime dependency`);
      if (!entry.link && !entry.integrity)
        problems.push(`package-lock.json ${path}@${entry.version} has no integrity hash`);
    }
  } else {
    console.log('  package-lock.json: none (nothing to lock)');
  }
  if (existsSync(join(root, 'node_modules')))
    problems.push('node_modules/ exists: the example must not install packages');

  if (problems.length > 0) throw new CheckError(`${problems.length} problem(s):\n  ${problems.join('\n  ')}`);
  console.log('no runtime dependencies; nothing unpinned');
});
