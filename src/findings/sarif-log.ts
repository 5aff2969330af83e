/**
 * The parts of a SARIF 2.1.0 log that findings are read from, as TypeScript types. They describe a log
 * the schema has accepted (sarif-schema.ts), so reading them needs no further shape checks.
 */

/** A message: plain text, or the id of a message string of the rule, with `{0}`-style arguments. */
export interface SarifMessage {
  readonly text?: string;
  readonly markdown?: string;
  readonly id?: string;
  readonly arguments?: readonly string[];
}

/** A property bag; `security-severity` is GitHub's CVSS-like score ("7.5"). */
export type SarifProperties = Readonly<Record<string, unknown>>;

/** A rule (`reportingDescriptor`). */
export interface SarifRule {
  readonly id: string;
  readonly shortDescription?: SarifMessage;
  readonly messageStrings?: Readonly<Record<string, SarifMessage>>;
  readonly defaultConfiguration?: { readonly level?: SarifLevel };
  readonly properties?: SarifProperties;
}

/** The driver of a run, or one of its extensions (CodeQL keeps its rules in an extension). */
export interface SarifToolComponent {
  readonly name: string;
  readonly rules?: readonly SarifRule[];
  readonly globalMessageStrings?: Readonly<Record<string, SarifMessage>>;
}

/** SARIF's severity of a result. */
export type SarifLevel = 'none' | 'note' | 'warning' | 'error';

/** A file reference, possibly relative to a named base (`%SRCROOT%`). */
export interface SarifArtifactLocation {
  readonly uri?: string;
  readonly uriBaseId?: string;
  readonly index?: number;
}

/** A place in a file. */
export interface SarifRegion {
  readonly startLine?: number;
  readonly startColumn?: number;
  readonly snippet?: { readonly text?: string };
}

/** A location of a result. */
export interface SarifLocation {
  readonly physicalLocation?: {
    readonly artifactLocation?: SarifArtifactLocation;
    readonly region?: SarifRegion;
  };
}

/** One result of a run. */
export interface SarifResult {
  readonly ruleId?: string;
  readonly ruleIndex?: number;
  readonly rule?: {
    readonly id?: string;
    readonly index?: number;
    readonly toolComponent?: { readonly index?: number; readonly name?: string };
  };
  readonly kind?: 'notApplicable' | 'pass' | 'fail' | 'review' | 'open' | 'informational';
  readonly level?: SarifLevel;
  readonly message: SarifMessage;
  readonly locations?: readonly SarifLocation[];
  readonly partialFingerprints?: Readonly<Record<string, string>>;
  readonly fingerprints?: Readonly<Record<string, string>>;
  readonly suppressions?: readonly { readonly status?: 'accepted' | 'underReview' | 'rejected' }[];
  readonly properties?: SarifProperties;
}

/** One run of one tool. */
export interface SarifRun {
  readonly tool: { readonly driver: SarifToolComponent; readonly extensions?: readonly SarifToolComponent[] };
  readonly originalUriBaseIds?: Readonly<Record<string, SarifArtifactLocation>>;
  readonly artifacts?: readonly { readonly location?: SarifArtifactLocation }[];
  readonly results?: readonly SarifResult[] | null;
}

/** A SARIF 2.1.0 log. */
export interface SarifLog {
  readonly version: '2.1.0';
  readonly runs: readonly SarifRun[] | null;
}
