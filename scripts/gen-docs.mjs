// Generates schema/slipway.schema.json and docs/config.md from the zod schema (via the build in dist/).
// With --check, fails when the committed files differ from what the schema generates.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { configJsonSchema } from '../dist/config/json-schema.js';

const check = process.argv.includes('--check');
const schema = configJsonSchema();

function typeOf(node) {
  if (!node) return 'any';
  if (node.const !== undefined) return `\`${JSON.stringify(node.const)}\``;
  if (node.enum) return node.enum.map((v) => `\`${v}\``).join(' \\| ');
  if (node.anyOf) return [...new Set(node.anyOf.map(typeOf))].join(' \\| ');
  if (node.format === 'duration') return 'duration';
  if (node.type === 'array') return `list of ${typeOf(node.items)}`;
  if (node.type === 'object') {
    if (node.properties) return 'mapping';
    if (node.additionalProperties && typeof node.additionalProperties === 'object') {
      return `map of ${typeOf(node.additionalProperties)}`;
    }
    return 'mapping';
  }
  if (Array.isArray(node.type)) return node.type.join(' \\| ');
  if (node.type === 'integer') return 'integer';
  return node.type ?? 'any';
}

const sections = [];
const documented = new Map();
function describeObject(title, node, intro) {
  const signature = JSON.stringify([node.description, Object.keys(node.properties ?? {})]);
  if (documented.has(signature)) {
    sections.push(`## \`${title}\`\n\nSame as \`${documented.get(signature)}\`.\n`);
    return;
  }
  documented.set(signature, title);
  const rows = [];
  const nested = [];
  const required = new Set(node.required ?? []);
  for (const [key, prop] of Object.entries(node.properties ?? {})) {
    const def =
      prop.default !== undefined
        ? `\`${JSON.stringify(prop.default)}\``
        : required.has(key)
          ? 'required'
          : '';
    const desc = (prop.description ?? '').replaceAll('|', '\\|');
    rows.push(`| \`${key}\` | ${typeOf(prop)} | ${def} | ${desc} |`);
    nested.push([key, prop]);
  }
  const lines = [`## \`${title}\``, ''];
  if (intro) lines.push(intro, '');
  if (node.additionalProperties && typeof node.additionalProperties === 'object' && node.properties) {
    lines.push(`Any other key: ${typeOf(node.additionalProperties)}.`, '');
  }
  lines.push('| Key | Type | Default | Description |', '| --- | --- | --- | --- |', ...rows, '');
  sections.push(lines.join('\n'));
  for (const [key, prop] of nested) walk(`${title === '(top level)' ? '' : `${title}.`}${key}`, prop);
}

function walk(title, node) {
  if (!node) return;
  if (node.anyOf) {
    node.anyOf.forEach((option) => {
      walk(title, option);
    });
    return;
  }
  if (node.type === 'array') return walk(`${title}[]`, node.items);
  if (node.type !== 'object') return;
  if (node.properties) return describeObject(title, node, node.description);
  if (node.additionalProperties && typeof node.additionalProperties === 'object') {
    const keyPattern = node.propertyNames?.pattern ? ` (keys match \`${node.propertyNames.pattern}\`)` : '';
    const child = node.additionalProperties;
    if (child.type === 'object' || child.anyOf) {
      sections.push(
        `## \`${title}\`\n\n${node.description ?? ''} A mapping from name${keyPattern} to the entry below.\n`,
      );
      walk(`${title}.<name>`, child);
    }
  }
}

describeObject('(top level)', schema, schema.description);
const header = [
  '# slipway.yaml reference',
  '',
  '<!-- Generated from the zod schema in src/config by `npm run gen`; do not edit by hand. -->',
  '',
  'Durations are written `500ms`, `30s`, `10m`, `1h` or `1h30m`. Identifiers (job, stage, service and environment names)',
  'start with a letter or `_` and contain letters, digits, `_` and `-`. Keys are camelCase, but for the two failover keys the seed spells in snake_case (`health_threshold`, `switchover_time`).',
  'Editors complete and check the file with the JSON Schema: put',
  '`# yaml-language-server: $schema=./node_modules/slipway/schema/slipway.schema.json` on its first line,',
  'or print the schema with `slipway schema`.',
  '',
].join('\n');
const files = {
  'docs/config.md': `${header}\n${sections.join('\n')}`,
  'schema/slipway.schema.json': `${JSON.stringify(schema, null, 2)}\n`,
};
let stale = false;
for (const [path, content] of Object.entries(files)) {
  let current = '';
  try {
    current = readFileSync(path, 'utf8');
  } catch {}
  if (current === content) continue;
  if (check) {
    process.stderr.write(`${path} is stale: run \`npm run gen\` and commit the result\n`);
    stale = true;
  } else {
    mkdirSync(path.split('/').slice(0, -1).join('/'), { recursive: true });
    writeFileSync(path, content);
    process.stdout.write(`wrote ${path}\n`);
  }
}
process.exit(stale ? 1 : 0);
