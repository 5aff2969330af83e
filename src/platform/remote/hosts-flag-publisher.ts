/**
 * One flag publisher over many hosts (a region, a fleet): every host's agent is sent the set at
 * once, and the publish settles when each has answered. A host that cannot be reached does not hold
 * the others back: they still get the set, and the error names each host that did not.
 */
import { type ErrorKind, isSlipwayError, SlipwayError } from '../../errors/slipway-error.js';
import type { FlagSnapshot } from '../../flags/flag-engine.js';
import type { FlagPublisher, FlagServing, PublishedFlags } from '../flag-publisher.js';

/** A host to publish to: its name (for errors) and the publisher that reaches its agent. */
export interface FlagHost {
  readonly name: string;
  readonly publisher: FlagPublisher;
}

/** A host that did not take the set, with its own error. */
export interface FlagHostFailure {
  readonly host: string;
  readonly error: unknown;
}

/**
 * Some hosts did not take the flag set. `published` holds what the others answered; the kind is
 * `unavailable` when every failure was, else `failed`.
 */
export class FlagsNotPublishedError extends SlipwayError<'FLAGS_NOT_PUBLISHED'> {
  override readonly name = 'FlagsNotPublishedError';

  constructor(
    readonly version: number,
    readonly published: readonly PublishedFlags[],
    readonly failures: readonly FlagHostFailure[],
    total: number,
  ) {
    super(
      'FLAGS_NOT_PUBLISHED',
      kindOf(failures),
      `flag set version ${version} did not reach ${failures.length} of ${total} host(s): ${failures
        .map(({ host, error }) => describe(host, error))
        .join('; ')}`,
      { cause: failures[0]?.error },
    );
  }
}

/** Publishes to every host in parallel (HostPlatforms, or any publishers with a name each). */
export class HostsFlagPublisher implements FlagPublisher {
  constructor(private readonly hosts: readonly FlagHost[]) {}

  /** Resolves with every host's answer, in host order; rejects with FlagsNotPublishedError after all answered. */
  async publishFlags(snapshot: FlagSnapshot, serving: FlagServing): Promise<readonly PublishedFlags[]> {
    const settled = await Promise.allSettled(
      this.hosts.map((host) => host.publisher.publishFlags(snapshot, serving)),
    );
    const published: PublishedFlags[] = [];
    const failures: FlagHostFailure[] = [];
    settled.forEach((result, i) => {
      if (result.status === 'fulfilled') published.push(...result.value);
      else failures.push({ host: this.hosts[i]?.name ?? `#${i}`, error: result.reason });
    });
    if (failures.length > 0)
      throw new FlagsNotPublishedError(snapshot.version, published, failures, this.hosts.length);
    return published;
  }
}

/** `host: message`, unless the message already names the host (SSH errors do). */
function describe(host: string, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.includes(`host ${host}`) ? message : `host ${host}: ${message}`;
}

function kindOf(failures: readonly FlagHostFailure[]): ErrorKind {
  return failures.every(({ error }) => isSlipwayError(error) && error.kind === 'unavailable')
    ? 'unavailable'
    : 'failed';
}
