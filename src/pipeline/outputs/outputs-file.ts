// Parses the `$SLIPWAY_OUTPUT` file in which a job publishes named outputs, GitHub Actions style.

/** Valid output names. */
export const OUTPUT_NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** A problem on one line of the outputs file. */
export interface OutputsFileError {
  /** 1-based line number. */
  readonly line: number;
  readonly message: string;
}

/** What a job published: outputs by name, plus every line that could not be understood. */
export interface ParsedOutputs {
  readonly outputs: Record<string, string>;
  readonly errors: OutputsFileError[];
}

/**
 * Reads `name=value` lines and `name<<DELIMITER` ... `DELIMITER` blocks (multi-line values); blank lines
 * are skipped, a trailing \r is dropped and later values override earlier ones. Never throws: bad lines
 * (no `=`, invalid name, unterminated block) are reported with their line number and skipped.
 */
export function parseOutputsFile(text: string): ParsedOutputs {
  const lines = text.split('\n').map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
  const outputs = new Map<string, string>();
  const errors: OutputsFileError[] = [];
  const setOutput = (line: number, name: string, value: string): void => {
    if (OUTPUT_NAME.test(name)) outputs.set(name, value);
    else errors.push({ line, message: `invalid output name ${JSON.stringify(name)}` });
  };

  for (let index = 0; index < lines.length; index += 1) {
    const line = index + 1;
    const content = lines[index] ?? '';
    if (content === '') continue;
    const equals = content.indexOf('=');
    const heredoc = content.indexOf('<<');
    if (heredoc !== -1 && (equals === -1 || heredoc < equals)) {
      const name = content.slice(0, heredoc);
      const delimiter = content.slice(heredoc + 2);
      if (delimiter === '') {
        errors.push({ line, message: `missing delimiter after << for ${JSON.stringify(name)}` });
        continue;
      }
      const end = lines.indexOf(delimiter, index + 1);
      if (end === -1) {
        errors.push({
          line,
          message: `unterminated ${JSON.stringify(name)}: no line ${JSON.stringify(delimiter)}`,
        });
        break; // everything after it is the unterminated value, not outputs
      }
      setOutput(line, name, lines.slice(index + 1, end).join('\n'));
      index = end;
    } else if (equals !== -1) {
      setOutput(line, content.slice(0, equals), content.slice(equals + 1));
    } else {
      errors.push({ line, message: 'expected name=value or name<<DELIMITER' });
    }
  }
  return { outputs: Object.fromEntries(outputs), errors };
}
