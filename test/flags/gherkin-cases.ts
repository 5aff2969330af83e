// The subset of Gherkin flagd's testbed writes (Feature, Background, Scenario, Scenario Outline with
// tagged Examples, data tables, comments), read into concrete cases: one per scenario, or per row
// of each Examples table with its <placeholders> filled in.

/** One step, its keyword dropped (And/But are whatever came before), with its data table if any. */
export interface GherkinStep {
  readonly text: string;
  readonly table?: readonly (readonly string[])[];
}

/** One runnable case: a scenario, or one Examples row of an outline. */
export interface GherkinCase {
  readonly feature: string;
  readonly scenario: string;
  /** Scenario name, with the Examples name and row values for an outline's case. */
  readonly name: string;
  /** Tags of the feature, the scenario and the Examples block. */
  readonly tags: readonly string[];
  /** Background steps first. */
  readonly steps: readonly GherkinStep[];
  /** Line of the scenario, or of the Examples row. */
  readonly line: number;
}

interface Examples {
  readonly name: string;
  readonly tags: string[];
  header?: string[];
  readonly rows: { cells: string[]; line: number }[];
}

interface Scenario {
  readonly name: string;
  readonly tags: string[];
  readonly line: number;
  readonly steps: { text: string; table?: string[][] }[];
  readonly examples: Examples[];
}

const STEP = /^(Given|When|Then|And|But|\*)\s+(.*)$/;

/** The cases of one feature file; anything outside the subset is an error naming its line. */
export function gherkinCases(source: string): GherkinCase[] {
  let feature = '';
  let featureTags: string[] = [];
  let pendingTags: string[] = [];
  const background: { text: string; table?: string[][] }[] = [];
  const scenarios: Scenario[] = [];
  let section: 'none' | 'feature' | 'background' | 'scenario' | 'examples' = 'none';

  const lines = source.split(/\r?\n/);
  for (const [index, raw] of lines.entries()) {
    const line = raw.trim();
    const lineNo = index + 1;
    if (line === '' || line.startsWith('#')) continue;
    const scenario = scenarios.at(-1);
    if (line.startsWith('@')) {
      pendingTags.push(...line.split(/\s+/).filter((t) => t.startsWith('@')));
      continue;
    }
    const keyword =
      /^(Feature|Background|Scenario Outline|Scenario Template|Scenario|Example|Examples|Scenarios):\s*(.*)$/.exec(
        line,
      );
    if (keyword) {
      const [, kind, name = ''] = keyword;
      if (kind === 'Feature') {
        feature = name;
        featureTags = pendingTags;
        section = 'feature';
      } else if (kind === 'Background') {
        section = 'background';
      } else if (kind === 'Examples' || kind === 'Scenarios') {
        if (!scenario) throw new Error(`line ${lineNo}: Examples outside a scenario`);
        scenario.examples.push({ name, tags: pendingTags, rows: [] });
        section = 'examples';
      } else {
        scenarios.push({
          name,
          tags: [...featureTags, ...pendingTags],
          line: lineNo,
          steps: [],
          examples: [],
        });
        section = 'scenario';
      }
      pendingTags = [];
      continue;
    }
    const step = STEP.exec(line);
    if (step) {
      if (section === 'background') background.push({ text: step[2]! });
      else if (section === 'scenario' && scenario) scenario.steps.push({ text: step[2]! });
      else throw new Error(`line ${lineNo}: a step outside a scenario or background`);
      continue;
    }
    if (line.startsWith('|')) {
      const cells = tableCells(line, lineNo);
      if (section === 'examples' && scenario) {
        const examples = scenario.examples.at(-1)!;
        if (!examples.header) examples.header = cells;
        else examples.rows.push({ cells, line: lineNo });
      } else {
        const steps = section === 'background' ? background : scenario?.steps;
        const last = steps?.at(-1);
        if (!last) throw new Error(`line ${lineNo}: a table without a step`);
        last.table ??= [];
        last.table.push(cells);
      }
      continue;
    }
    // Free text under Feature: (its description) is allowed; anywhere else it is not Gherkin we know.
    if (section !== 'feature') throw new Error(`line ${lineNo}: not understood: ${line}`);
  }

  const cases: GherkinCase[] = [];
  for (const s of scenarios) {
    const steps = [...background, ...s.steps];
    if (s.examples.length === 0) {
      cases.push({ feature, scenario: s.name, name: s.name, tags: s.tags, steps, line: s.line });
      continue;
    }
    for (const examples of s.examples) {
      const header = examples.header ?? [];
      for (const row of examples.rows) {
        if (row.cells.length !== header.length)
          throw new Error(`line ${row.line}: ${row.cells.length} cells under a header of ${header.length}`);
        const values = new Map(header.map((h, i) => [h, row.cells[i]!]));
        const fill = (text: string) =>
          text.replace(/<([^<>]+)>/g, (all, name: string) => values.get(name) ?? all);
        cases.push({
          feature,
          scenario: s.name,
          name: `${s.name} [${examples.name ? `${examples.name}: ` : ''}${header.map((h) => `${h}=${values.get(h)}`).join(', ')}]`,
          tags: [...s.tags, ...examples.tags],
          steps: steps.map((st) => ({
            text: fill(st.text),
            ...(st.table ? { table: st.table.map((r) => r.map(fill)) } : {}),
          })),
          line: row.line,
        });
      }
    }
  }
  return cases;
}

// Cells between unescaped pipes; Gherkin's escapes are \| \\ and \n, any other backslash stays.
function tableCells(line: string, lineNo: number): string[] {
  if (!line.endsWith('|') || line.length < 2) throw new Error(`line ${lineNo}: a table row must end with |`);
  const cells: string[] = [];
  let cell = '';
  for (let i = 1; i < line.length; i++) {
    const c = line[i]!;
    if (c === '\\' && i + 1 < line.length) {
      const next = line[i + 1]!;
      if (next === '|' || next === '\\') {
        cell += next;
        i++;
        continue;
      }
      if (next === 'n') {
        cell += '\n';
        i++;
        continue;
      }
    }
    if (c === '|') {
      cells.push(cell.trim());
      cell = '';
    } else cell += c;
  }
  return cells;
}
