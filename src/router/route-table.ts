// The route table a Router serves: revisions with traffic weights and the instances behind them.

/** One process serving a revision, reachable at host:port. */
export interface RouteInstance {
  readonly id: string;
  readonly host: string;
  readonly port: number;
  /** Only ready instances get new requests; a not-ready one still finishes what it has. */
  readonly ready: boolean;
}

/** A deployed revision and the share of ordinary traffic it gets. */
export interface RouteRevision {
  /** Revision id, e.g. `r-3fa9c1d2e4b5`. */
  readonly id: string;
  /** Lets `X-Slipway-Revision: stable|canary` address the revision by role. */
  readonly role?: 'stable' | 'canary';
  /** Percentage of traffic, 0..100 with 0.001 resolution; weights are renormalised over available revisions. */
  readonly weight: number;
  readonly instances: readonly RouteInstance[];
}

/** Everything a Router needs to route requests; replaced atomically by Router.setTable. */
export interface RouteTable {
  readonly revisions: readonly RouteRevision[];
  /** Pin each client to the revision it first got through the `slipway-sticky` cookie. */
  readonly sticky: boolean;
}

/** Weights are held as integers in units of 0.001 %. */
export const WEIGHT_UNITS_PER_PERCENT = 1000;

/** A table with no revisions: every request is held until a real table arrives. */
export const EMPTY_TABLE: RouteTable = Object.freeze({ revisions: Object.freeze([]), sticky: false });

/** Problems that make a table unusable, one message each; empty when the table is valid. */
export function validateTable(table: RouteTable): string[] {
  const problems: string[] = [];
  if (!Array.isArray(table.revisions)) return ['revisions must be an array'];
  const revisionIds = new Set<string>();
  const instanceIds = new Set<string>();
  const roles = new Set<string>();
  table.revisions.forEach((revision, r) => {
    const at = `revisions[${r}]`;
    if (typeof revision.id !== 'string' || revision.id === '')
      problems.push(`${at}.id must be a non-empty string`);
    else if (revisionIds.has(revision.id)) problems.push(`${at}.id "${revision.id}" is not unique`);
    else revisionIds.add(revision.id);
    if (revision.role !== undefined) {
      if (revision.role !== 'stable' && revision.role !== 'canary') {
        problems.push(`${at}.role must be "stable" or "canary"`);
      } else if (roles.has(revision.role)) problems.push(`${at}.role "${revision.role}" is used twice`);
      else roles.add(revision.role);
    }
    if (typeof revision.weight !== 'number' || !(revision.weight >= 0 && revision.weight <= 100)) {
      problems.push(`${at}.weight must be a number from 0 to 100`);
    }
    const instances: readonly RouteInstance[] = revision.instances;
    if (!Array.isArray(instances)) {
      problems.push(`${at}.instances must be an array`);
      return;
    }
    instances.forEach((instance: RouteInstance, i: number) => {
      const iat = `${at}.instances[${i}]`;
      if (typeof instance.id !== 'string' || instance.id === '')
        problems.push(`${iat}.id must be a non-empty string`);
      else if (instanceIds.has(instance.id)) problems.push(`${iat}.id "${instance.id}" is not unique`);
      else instanceIds.add(instance.id);
      if (typeof instance.host !== 'string' || instance.host === '') {
        problems.push(`${iat}.host must be a non-empty string`);
      }
      if (!Number.isInteger(instance.port) || instance.port < 1 || instance.port > 65535) {
        problems.push(`${iat}.port must be an integer from 1 to 65535`);
      }
      if (typeof instance.ready !== 'boolean') problems.push(`${iat}.ready must be a boolean`);
    });
  });
  return problems;
}
