/** Typed errors of security findings: scanner reports that cannot be read or do not follow their format. */
import { type KindTable, SlipwayError } from '../errors/slipway-error.js';

/** Why a findings report cannot be used. */
export type FindingsErrorCode =
  | 'FINDINGS_REPORT_INVALID'
  | 'FINDINGS_REPORT_UNREADABLE'
  | 'FINDINGS_SCHEMA_UNAVAILABLE';

const KINDS: KindTable<FindingsErrorCode> = {
  FINDINGS_REPORT_INVALID: 'invalid',
  FINDINGS_REPORT_UNREADABLE: 'failed',
  FINDINGS_SCHEMA_UNAVAILABLE: 'internal',
};

/** One problem in a report, at a JSON path such as `runs[0].results[3].level`. */
export interface ReportIssue {
  readonly path: string;
  readonly message: string;
}

/** A findings report that cannot be read, parsed or validated; the message names the report file. */
export class FindingsError extends SlipwayError<FindingsErrorCode> {
  override readonly name = 'FindingsError';
  /** The report file the error is about, as the job named it. */
  readonly file: string | undefined;
  /** The problems found in the report (schema violations), when there are several to tell. */
  readonly issues: readonly ReportIssue[];

  constructor(
    code: FindingsErrorCode,
    message: string,
    options?: { readonly cause?: unknown; readonly file?: string; readonly issues?: readonly ReportIssue[] },
  ) {
    super(code, KINDS[code], message, options);
    this.file = options?.file;
    this.issues = options?.issues ?? [];
  }
}
