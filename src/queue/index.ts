export {
  type ConnectOptions,
  checkQueueUrl,
  connectQueue,
  inTransaction,
  QUEUE_NAME,
  type QueueConnection,
} from "./connect.js";
export {
  DEFAULT_ATTEMPTS,
  DEFAULT_LEASE_SECONDS,
  type EnqueueOptions,
  enqueueBatch,
  type JobData,
} from "./enqueue.js";
export type { BatchHarness, BatchUnit, UnitContext, UnitRunner } from "./harness.js";
export { type BatchRecord, BatchStore, type StoredResult, type UnitResult } from "./results-store.js";
export { type BatchState, type BatchStatus, batchState, finished, type UnitFailure } from "./status.js";
export {
  DEFAULT_IDLE_POLL_MS,
  runWorker,
  type WorkerEvent,
  type WorkerOptions,
  type WorkerSummary,
} from "./worker.js";
