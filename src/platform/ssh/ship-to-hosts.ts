/** Ships one revision to many hosts at once, one transport per host, and reports each host apart. */
import { type ShipOptions, type ShipResult, type ShipSource, shipRevision } from './ship-revision.js';
import type { SshTransport } from './ssh-transport.js';

/** One host to ship to: its transport and the folder the revision store lives in there. */
export interface ShipTarget {
  readonly transport: SshTransport;
  readonly remoteDir: string;
}

/** A host whose ship failed, with the typed error (`ShipError` or `SshError`) naming it. */
export interface ShipFailure {
  readonly status: 'failed';
  readonly host: string;
  readonly digest: string;
  readonly error: unknown;
  readonly ms: number;
}

/** One host's outcome. */
export type HostShipResult = ShipResult | ShipFailure;

/** Ships `source` to every target in parallel; never rejects: each host gets its own result, in order. */
export async function shipToHosts(
  targets: readonly ShipTarget[],
  source: ShipSource,
  options: ShipOptions = {},
): Promise<readonly HostShipResult[]> {
  return Promise.all(
    targets.map(async ({ transport, remoteDir }): Promise<HostShipResult> => {
      const started = Date.now();
      try {
        return await shipRevision(transport, source, remoteDir, options);
      } catch (error) {
        return {
          status: 'failed',
          host: transport.target.name,
          digest: source.manifest.digest,
          error,
          ms: Date.now() - started,
        };
      }
    }),
  );
}
