// Container scan: a STATIC scan of the Dockerfile (no Docker engine is used or needed; no image
// is built or pulled). Fails when a base image is unpinned or `latest`, when the container would
// run as root, when there is no HEALTHCHECK probing /healthz, or when ENV/ARG carries a secret.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CheckError, root, runCheck } from './_lib.mjs';

const SECRET_NAME = /(pass(word|wd)?|secret|token|api[_-]?key|private[_-]?key|credential)/i;

/** Dockerfile instructions with their line numbers; joins `\` continuations and drops comments. */
function parseDockerfile(text) {
  const instructions = [];
  let current;
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!current && (line === '' || line.startsWith('#'))) return;
    if (current && line.startsWith('#')) return;
    const body = line.endsWith('\\') ? line.slice(0, -1) : line;
    if (current) current.args += ` ${body.trim()}`;
    else {
      const [keyword, ...rest] = body.split(/\s+/);
      current = { line: i + 1, keyword: keyword.toUpperCase(), args: rest.join(' ') };
    }
    if (!line.endsWith('\\')) {
      instructions.push(current);
      current = undefined;
    }
  });
  if (current) instructions.push(current);
  return instructions;
}

/** `KEY=value KEY2=value2` or the legacy `KEY value` form of ENV/ARG: the keys. */
function declaredNames(args) {
  if (!args.includes('=')) return [args.split(/\s+/)[0]];
  return [...args.matchAll(/(?:^|\s)([A-Za-z_][A-Za-z0-9_]*)=/g)].map((match) => match[1]);
}

runCheck('container-scan', () => {
  console.log('static scan of Dockerfile (no Docker engine on this machine: nothing is built or pulled)');
  let text;
  try {
    text = readFileSync(join(root, 'Dockerfile'), 'utf8');
  } catch (error) {
    throw new CheckError(`cannot read Dockerfile: ${error.message}`);
  }
  const instructions = parseDockerfile(text);
  const problems = [];
  const stages = new Set();
  let finalStageStart = -1;

  instructions.forEach((ins, index) => {
    if (ins.keyword !== 'FROM') return;
    finalStageStart = index;
    const words = ins.args.split(/\s+/).filter((word) => !word.startsWith('--'));
    const image = words[0] ?? '';
    const isEarlierStage = stages.has(image.toLowerCase());
    if (words[1]?.toUpperCase() === 'AS' && words[2]) stages.add(words[2].toLowerCase());
    if (isEarlierStage || image === 'scratch') return;
    const [name, digest] = image.split('@');
    const tag = name.includes(':') ? name.slice(name.lastIndexOf(':') + 1) : '';
    if (digest) console.log(`  line ${ins.line}: base ${image} pinned by digest`);
    else if (tag === '' || tag === 'latest')
      problems.push(`line ${ins.line}: base image ${image} is not pinned (tag "${tag || 'latest'}")`);
    else if (!/^\d+\.\d+\.\d+(?:[-_.][\w.-]+)?$/.test(tag)) {
      problems.push(
        `line ${ins.line}: base image ${image} has a moving tag; pin an exact version like node:20.20.2-slim`,
      );
    } else console.log(`  line ${ins.line}: base ${image} pinned`);
  });
  if (finalStageStart === -1) problems.push('no FROM instruction');

  const finalStage = instructions.slice(finalStageStart + 1);
  const users = finalStage.filter((ins) => ins.keyword === 'USER');
  const user = users.at(-1);
  if (!user) problems.push('no USER instruction: the container runs as root');
  else if (/^(root|0)(:|$)/.test(user.args.trim()))
    problems.push(`line ${user.line}: USER ${user.args} runs as root`);
  else console.log(`  line ${user.line}: runs as ${user.args}`);

  const healthcheck = finalStage.filter((ins) => ins.keyword === 'HEALTHCHECK').at(-1);
  if (!healthcheck) problems.push('no HEALTHCHECK instruction');
  else if (/^NONE\b/i.test(healthcheck.args))
    problems.push(`line ${healthcheck.line}: HEALTHCHECK NONE disables the health check`);
  else if (!healthcheck.args.includes('/healthz'))
    problems.push(`line ${healthcheck.line}: HEALTHCHECK does not probe /healthz`);
  else console.log(`  line ${healthcheck.line}: HEALTHCHECK probes /healthz`);

  for (const ins of instructions.filter((i) => i.keyword === 'ENV' || i.keyword === 'ARG')) {
    for (const name of declaredNames(ins.args)) {
      if (SECRET_NAME.test(name))
        problems.push(`line ${ins.line}: ${ins.keyword} ${name} looks like a secret baked into the image`);
    }
  }
  for (const ins of instructions.filter((i) => i.keyword === 'ADD')) {
    if (/\bhttps?:\/\//.test(ins.args))
      problems.push(
        `line ${ins.line}: ADD from a URL is not verified; download in a RUN step with a checksum`,
      );
  }

  console.log(`checked ${instructions.length} instructions`);
  if (problems.length > 0) throw new CheckError(`${problems.length} problem(s):\n  ${problems.join('\n  ')}`);
});
