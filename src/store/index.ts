// Public surface of the state store; code inside src/ imports the modules directly, never this barrel.
export { isStoreError, StoreError, type StoreErrorCode } from './errors.js';
export { EVENT_TYPES, type EventType, isEventType } from './event-types.js';
export { type OpenStoreOptions, openStore, sqliteStatePath } from './open-store.js';
export type {
  Approval,
  ApprovalDecision,
  ApprovalStatus,
  Clock,
  EventFilter,
  JobRun,
  JobRunPatch,
  JobStatus,
  LogLine,
  LogQuery,
  LogStream,
  NewEvent,
  NewLogLine,
  NewRollout,
  NewRun,
  Rollout,
  RolloutFilter,
  RolloutPatch,
  RolloutPhase,
  Run,
  RunFilter,
  RunPatch,
  RunStatus,
  Store,
  StoreBackend,
  StoredEvent,
  StoreOperations,
} from './store.js';
