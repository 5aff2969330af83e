// bench:findings — reading and gating scanner findings at scale.
// Generates SARIF 2.1.0 reports in a temp dir: 8 files, 100,000 results in all, from two tool
// shapes (a CodeQL/Semgrep-like security scanner with rules carrying `security-severity`, and an
// ESLint-like linter with levels, `%SRCROOT%` locations and an `artifacts` list); 90% of the results
// carry `partialFingerprints`, the rest are fingerprinted by location. The baseline is 100,000 findings:
// 95,000 of the current ones (some seen with a different line, as after code moved) and 5,000 that
// are gone, so 5,000 current findings are new. Suppressions: a rule, a fingerprint, a path-narrowed
// rule and an expired one.
// The file texts are read before timing. Then, in alternating rounds after an untimed warm-up round
// (which compiles the SARIF schema validator, once per process), each figure the median of 5:
// - slipway: readReport of every text (JSON.parse, format detection, validation against the full
//   SARIF 2.1.0 schema, mapping to findings) + gateFindings (failOn high, newOnly, suppressions);
// - floor: JSON.parse of the same texts.
// Prints one JSON line {"bench":"findings","results":100000,"slipway_ms":..,"floor_ms":..,"ratio":..}
// (progress on stderr); exits 1 when ratio > 3. Run: npm run bench:findings.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Finding } from '../src/findings/finding.js';
import { gateFindings } from '../src/findings/gate.js';
import { readReport } from '../src/findings/read-report.js';
import type { Suppression } from '../src/findings/suppressions.js';
import { SeededRandom } from './lib/seeded-random.js';

const RESULTS = 100_000;
const FILES = 8;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const TARGET_RATIO = 3;
const log = (line: string) => process.stderr.write(`bench:findings: ${line}\n`);

const random = new SeededRandom(20_240_601);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random.next() * items.length)]!;
const hex = (n: number) =>
  Array.from({ length: n }, () => Math.floor(random.next() * 16).toString(16)).join('');

const SECURITY_RULES = Array.from({ length: 120 }, (_, i) => ({
  id: `js/security-rule-${i}`,
  name: `SecurityRule${i}`,
  shortDescription: { text: `Security rule ${i}` },
  fullDescription: {
    text: `Detects a dangerous data flow of kind ${i} from a user-controlled source to a sink.`,
  },
  defaultConfiguration: { level: pick(['error', 'warning', 'note'] as const) },
  helpUri: `https://example.com/rules/security-rule-${i}`,
  properties: {
    tags: ['security', `external/cwe/cwe-${100 + i}`],
    precision: pick(['high', 'medium']),
    'security-severity': pick(['9.8', '8.1', '7.5', '6.1', '5.3', '4.3', '3.1']),
  },
}));

const LINT_RULES = Array.from({ length: 60 }, (_, i) => ({
  id: `lint-rule-${i}`,
  shortDescription: { text: `Lint rule ${i}` },
  helpUri: `https://eslint.example/docs/rules/lint-rule-${i}`,
  properties: { category: pick(['Possible Errors', 'Best Practices', 'Variables']) },
}));

const PATHS = Array.from({ length: 2_000 }, (_, i) => `src/module-${i % 40}/file-${i}.ts`);

interface Generated {
  readonly text: string;
  /** The findings this file holds, as the baseline would have stored them. */
  readonly findings: Finding[];
}

function securityReport(count: number, fileIndex: number): Generated {
  const tool = 'SecurityScanner';
  const results = [];
  const findings: Finding[] = [];
  for (let i = 0; i < count; i++) {
    const ruleIndex = Math.floor(random.next() * SECURITY_RULES.length);
    const rule = SECURITY_RULES[ruleIndex]!;
    const path = pick(PATHS);
    const line = 1 + Math.floor(random.next() * 800);
    const message = `Untrusted data from req.query.p${i % 97} flows to ${rule.name.toLowerCase()} sink #${fileIndex}-${i}.`;
    const fingerprinted = random.next() < 0.9;
    const fp = `${hex(16)}:1`;
    results.push({
      ruleId: rule.id,
      ruleIndex,
      rule: { id: rule.id, index: ruleIndex },
      message: { text: message },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: path, uriBaseId: '%SRCROOT%' },
            region: { startLine: line, startColumn: 5, endLine: line, endColumn: 42 },
          },
        },
      ],
      ...(fingerprinted ? { partialFingerprints: { primaryLocationLineHash: fp } } : {}),
    });
    findings.push(stored(tool, rule.id, message, path, line, fingerprinted ? fp : undefined));
  }
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: tool,
            semanticVersion: '2.4.0',
            informationUri: 'https://example.com',
            rules: SECURITY_RULES,
          },
        },
        automationDetails: { id: `security/${fileIndex}/` },
        columnKind: 'utf16CodeUnits',
        results,
      },
    ],
  };
  return { text: JSON.stringify(log, null, 2), findings };
}

function lintReport(count: number, fileIndex: number): Generated {
  const tool = 'ESLint';
  const results = [];
  const findings: Finding[] = [];
  for (let i = 0; i < count; i++) {
    const ruleIndex = Math.floor(random.next() * LINT_RULES.length);
    const rule = LINT_RULES[ruleIndex]!;
    const artifact = Math.floor(random.next() * PATHS.length);
    const path = PATHS[artifact]!;
    const line = 1 + Math.floor(random.next() * 800);
    const level = pick(['error', 'warning'] as const);
    const message = `'value${i % 211}' is assigned a value but never used (${fileIndex}-${i}).`;
    const fingerprinted = random.next() < 0.9;
    const fp = hex(32);
    results.push({
      level,
      message: { text: message },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: `file:///work/project/${path}`, index: artifact },
            region: { startLine: line, startColumn: 7 },
          },
        },
      ],
      ruleId: rule.id,
      ruleIndex,
      ...(fingerprinted ? { partialFingerprints: { 'lint/v1': fp } } : {}),
    });
    findings.push({
      ...stored(tool, rule.id, message, path, line, fingerprinted ? fp : undefined),
      severity: level === 'error' ? 'high' : 'medium',
    });
  }
  const log = {
    version: '2.1.0',
    $schema: 'http://json.schemastore.org/sarif-2.1.0-rtm.5',
    runs: [
      {
        tool: {
          driver: { name: tool, informationUri: 'https://eslint.org', rules: LINT_RULES, version: '9.1.0' },
        },
        artifacts: PATHS.map((p) => ({ location: { uri: `file:///work/project/${p}` } })),
        results,
        invocations: [{ toolConfigurationNotifications: [], executionSuccessful: true }],
      },
    ],
  };
  return { text: JSON.stringify(log), findings };
}

function stored(
  tool: string,
  rule: string,
  message: string,
  file: string,
  line: number,
  fp?: string,
): Finding {
  return {
    tool,
    rule,
    severity: 'high',
    message,
    location: { file, line },
    fingerprint: fp ?? `location-${tool}-${rule}-${file}-${line}`,
    fingerprintSource: fp === undefined ? 'location' : 'report',
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function main(): void {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-bench-findings-'));
  try {
    const perFile = RESULTS / FILES;
    const generated: { path: string; findings: Finding[] }[] = [];
    for (let i = 0; i < FILES; i++) {
      const g = i % 2 === 0 ? securityReport(perFile, i) : lintReport(perFile, i);
      const path = join(dir, `report-${i}.sarif`);
      writeFileSync(path, g.text);
      generated.push({ path, findings: g.findings });
    }
    const texts = generated.map((g) => ({ file: g.path, text: readFileSync(g.path, 'utf8') }));
    const megabytes = texts.reduce((n, t) => n + t.text.length, 0) / 1e6;
    log(`${FILES} SARIF files, ${RESULTS} results, ${megabytes.toFixed(1)} MB`);

    // The baseline: 95% of the current findings (every 10th seen at another line: same finding,
    // matched by fingerprint, or by rule, file and message), and 5,000 findings since fixed.
    const current = generated.flatMap((g) => g.findings);
    const baseline: Finding[] = [];
    current.forEach((f, i) => {
      if (i % 20 === 7) return;
      baseline.push(
        i % 10 === 3 && f.location
          ? { ...f, location: { ...f.location, line: (f.location.line ?? 0) + 3 } }
          : f,
      );
    });
    for (let i = 0; baseline.length < RESULTS; i++)
      baseline.push(stored('SecurityScanner', 'js/security-rule-1', `fixed ${i}`, 'src/old.ts', i, hex(16)));

    const suppressions: Suppression[] = [
      {
        rule: 'js/security-rule-3',
        reason: 'sanitized by middleware',
        expires: '2099-12-31',
        author: 'sec@example.com',
      },
      {
        fingerprint: current[11]!.fingerprint,
        reason: 'test fixture',
        expires: '2099-12-31',
        author: 'dev@example.com',
      },
      {
        rule: 'lint-rule-5',
        path: 'src/module-1/**',
        reason: 'generated code',
        expires: '2099-12-31',
        author: 'dev@example.com',
      },
      {
        rule: 'js/security-rule-4',
        reason: 'accepted until the rewrite',
        expires: '2020-01-01',
        author: 'lead@example.com',
      },
    ];
    const options = { failOn: 'high', newOnly: true, baseline, suppressions, today: '2025-06-01' } as const;

    let lastGate: ReturnType<typeof gateFindings> | undefined;
    const slipway = () => {
      const findings: Finding[] = [];
      for (const t of texts)
        for (const f of readReport(t.text, { file: t.file, projectRoot: '/work/project' }).findings)
          findings.push(f);
      lastGate = gateFindings(findings, options);
      return findings.length;
    };
    let sink = 0;
    const floor = () => {
      for (const t of texts) sink += (JSON.parse(t.text) as { runs: unknown[] }).runs.length;
    };
    const time = (fn: () => unknown) => {
      const start = performance.now();
      fn();
      return performance.now() - start;
    };

    const read = slipway();
    floor();
    if (read !== RESULTS) throw new Error(`read ${read} findings, expected ${RESULTS}`);
    log(`warm-up: ${lastGate?.message}`);
    const slipwayMs: number[] = [];
    const floorMs: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const s = time(slipway);
      const f = time(floor);
      slipwayMs.push(s);
      floorMs.push(f);
      log(`round ${round + 1}: slipway ${s.toFixed(0)} ms, JSON.parse ${f.toFixed(0)} ms`);
    }
    const s = median(slipwayMs);
    const f = median(floorMs);
    const ratio = s / f;
    process.stdout.write(
      `${JSON.stringify({ bench: 'findings', results: RESULTS, slipway_ms: Math.round(s), floor_ms: Math.round(f), ratio: Math.round(ratio * 100) / 100 })}\n`,
    );
    if (sink < 0) log('unreachable');
    if (ratio > TARGET_RATIO) {
      log(`ratio ${ratio.toFixed(2)} is above the target ${TARGET_RATIO}`);
      process.exitCode = 1;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
