/** The IPC end a supervised process talks through: its `process`, or a child process in the supervisor. */
import type { Serializable } from 'node:child_process';
import type { Server, Socket } from 'node:net';

/** The part of `process` / `ChildProcess` IPC that the supervisor and its children use. */
export interface IpcChannel {
  readonly connected: boolean;
  send(
    message: Serializable,
    handle?: Socket | Server,
    options?: { keepOpen?: boolean },
    callback?: (error: Error | null) => void,
  ): boolean;
  on(event: 'message', listener: (message: never, handle?: Socket) => void): unknown;
  once(event: 'disconnect', listener: () => void): unknown;
}
