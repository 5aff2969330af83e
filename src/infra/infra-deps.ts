/** What infrastructure operations run with: the store, where the project and its state are, and where lines go. */
import type { Store } from '../store/store.js';

/** The wiring of plan, approve, apply and drift. */
export interface InfraDeps {
  readonly store: Store;
  /** The project's name, part of the lease key. */
  readonly project: string;
  /** slipway.yaml's directory; the paths of `infrastructure:` are relative to it. */
  readonly projectDir: string;
  /** Where saved plans are kept (`<stateDir>/infra/<environment>/<plan>/`). */
  readonly stateDir: string;
  /** The environment Terraform, kubectl and helm start from. */
  readonly env: NodeJS.ProcessEnv;
  /** Receives Slipway's own lines and the tools' output, as the run log or the terminal shows them. */
  readonly log: (line: string) => void;
  readonly signal?: AbortSignal;
  /** Wait this long for a busy environment (default: fail at once). */
  readonly waitMs?: number;
}
