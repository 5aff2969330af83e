// Static analysis: scans src/**/*.ts for dangerous patterns and fails with file:line on a hit.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { CheckError, root, runCheck } from './_lib.mjs';

const RULES = [
  { id: 'eval', pattern: /\beval\s*\(/, message: 'eval() runs arbitrary code' },
  { id: 'new-function', pattern: /\bnew\s+Function\s*\(/, message: 'new Function() runs arbitrary code' },
  { id: 'child-process', pattern: /\bchild_process\b/, message: 'child_process can run shell commands' },
  { id: 'vm', pattern: /['"](?:node:)?vm['"]/, message: 'node:vm runs arbitrary code' },
  { id: 'inner-html', pattern: /\b(?:innerHTML|outerHTML)\b/, message: 'innerHTML/outerHTML invite XSS' },
  {
    id: 'hard-coded-secret',
    pattern: /(api[_-]?key|secret|password|passwd|token)\s*[:=]\s*['"`][^'"`]+['"`]/i,
    message: 'hard-coded secret',
  },
  { id: 'private-key', pattern: /-----BEGIN [A-Z ]*PRIVATE KEY-----/, message: 'private key in source' },
];

function listTs(dir) {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => join(entry.parentPath ?? entry.path, entry.name))
    .sort();
}

runCheck('sast', () => {
  const files = listTs(join(root, 'src'));
  if (files.length === 0) throw new CheckError('found no .ts files under src/');
  const hits = [];
  let lineCount = 0;
  for (const file of files) {
    const lines = readFileSync(file, 'utf8').split('\n');
    lineCount += lines.length;
    lines.forEach((line, i) => {
      for (const rule of RULES) {
        if (rule.pattern.test(line)) {
          hits.push(
            `${relative(root, file).split(sep).join('/')}:${i + 1}: [${rule.id}] ${rule.message}: ${line.trim()}`,
          );
        }
      }
    });
  }
  console.log(`scanned ${files.length} files (${lineCount} lines) for ${RULES.length} rules`);
  if (hits.length > 0) throw new CheckError(`${hits.length} finding(s):\n  ${hits.join('\n  ')}`);
  console.log('no findings');
});
