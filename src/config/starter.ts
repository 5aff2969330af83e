/** The commented starter slipway.yaml written by `slipway init`, filled from package.json scripts. */

/** What the starter is built from: the project name and its package.json scripts, if any. */
export interface StarterInput {
  readonly projectName: string;
  readonly scripts?: Readonly<Record<string, string>>;
  /** Relative path to the JSON Schema, for editor completion. */
  readonly schemaPath?: string;
}

const YAML_SAFE_ID = /[^A-Za-z0-9_-]/g;

/** Renders the starter config text; pure so it is tested without files. */
export function renderStarter(input: StarterInput): string {
  const scripts = input.scripts ?? {};
  const has = (name: string) => typeof scripts[name] === 'string';
  const jobs: { id: string; run: string; comment: string }[] = [];
  if (has('lint')) jobs.push({ id: 'lint', run: 'npm run lint', comment: 'from package.json "lint"' });
  if (has('build')) jobs.push({ id: 'build', run: 'npm run build', comment: 'from package.json "build"' });
  if (has('test')) jobs.push({ id: 'test', run: 'npm test', comment: 'from package.json "test"' });
  if (jobs.length === 0)
    jobs.push({
      id: 'build',
      run: 'echo "replace me with your build command"',
      comment: 'no package.json scripts found',
    });
  const build = jobs.filter((j) => j.id === 'lint' || j.id === 'build').map((j) => j.id);
  const test = jobs.filter((j) => j.id === 'test').map((j) => j.id);
  const lines: string[] = [];
  if (input.schemaPath) lines.push(`# yaml-language-server: $schema=${input.schemaPath}`);
  lines.push(
    '# Slipway configuration. Check it with `slipway validate`; the reference is docs/config.md.',
    'version: 1',
    'project:',
    `  name: ${input.projectName.replace(YAML_SAFE_ID, '-') || 'project'}`,
    '',
    '# Jobs by id. Each runs a shell command (`run`) or a list of `steps`, with bash -eo pipefail.',
    '# Other keys: needs, if, timeout (e.g. 10m), retry, continueOnError, env, workdir, matrix,',
    '# cache, artifacts, secrets.',
    'jobs:',
  );
  for (const job of jobs) {
    lines.push(`  ${job.id}:  # ${job.comment}`, `    run: ${job.run}`);
    if (job.id === 'test') lines.push('    timeout: 10m');
  }
  lines.push(
    '',
    '# Stages run in order; `parallel` jobs run at once, `steps` jobs one after another.',
    'pipeline:',
    '  stages:',
    '    - name: build',
    `      parallel: [${build.length > 0 ? build.join(', ') : jobs[0]!.id}]`,
  );
  if (test.length > 0) lines.push('    - name: test', `      parallel: [${test.join(', ')}]`);
  lines.push(
    '    # Environments are promoted in order; manual_approval waits for `slipway approve RUN ENV`.',
    '    - name: deploy',
    '      environments:',
    '        - staging: { approval: auto, run: echo "deploy to staging" }',
    '        - production: { approval: manual_approval, run: echo "deploy to production" }',
    '',
  );
  return lines.join('\n');
}
