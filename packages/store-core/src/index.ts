export type {
  AppendOptions,
  Backend,
  BackendStats,
  ByteRange,
  GetOptions,
  GetResult,
  ListOptions,
  ObjectInfo,
  PutOptions,
  Resumable,
  ResumableCreateOptions,
  ResumableStatus,
} from './backend.js';
export type {
  DirectTransfers,
  PresignedRequest,
  PresignGetOptions,
  PresignPutOptions,
  UploadedPart,
} from './direct.js';
export type { AttErrorCode, AttErrorOptions } from './errors.js';
export { AttError, ERROR_CODES, isAttError } from './errors.js';
export {
  type CleanupEvent,
  type ExpireEvent,
  HTTP_REQUEST_CHANNEL,
  type HttpRequestEvent,
  type RemoveEvent,
  S3_REQUEST_END_CHANNEL,
  S3_REQUEST_START_CHANNEL,
  type S3RequestMessage,
  STORE_CHANNELS,
  type StoreEventMap,
  type StoreEventName,
  type SyncEvent,
  type WriteEvent,
  type WriteFailedEvent,
} from './events/channels.js';
export {
  type AttLogger,
  attLogger,
  consoleLogger,
  type Logger,
  type LogLevel,
  silentLogger,
} from './logging/logger.js';
export { REDACTED, redactSecrets, redactText } from './logging/redact.js';
export { type MeterOptions, meter } from './meter.js';
export { checkObjectMetadata, MAX_METADATA_BYTES } from './object-metadata.js';
export {
  type BackendPlugin,
  BackendRegistry,
  createBackend,
  defaultRegistry,
  defineBackend,
  registerBackend,
  toBackendUrl,
} from './registry.js';
export { boundedBody, checkAppend, checkCreateLength, incomplete, notAnUpload } from './resumable.js';
export {
  ACTIVE_TYPES,
  activeExtensionFor,
  essenceOf,
  hasActiveExtension,
  isActiveType,
} from './serving/active-types.js';
export {
  asciiFallback,
  contentDispositionFor,
  dispositionFilename,
  encodeRfc5987,
  formatContentDisposition,
  parseContentDispositionFilename,
} from './serving/content-disposition.js';
export type { Lease } from './state/lease.js';
export type { Claim, Commitment, CounterUsage, Ledger } from './state/ledger.js';
export type { LimiterStore, RateLimit } from './state/limiter.js';
export { createMemoryLease } from './state/memory-lease.js';
export { createMemoryLedger, MemoryLedger, type MemoryLedgerOptions } from './state/memory-ledger.js';
export { createMemoryLimiterStore, type MemoryLimiterOptions } from './state/memory-limiter.js';
export { type AttState, createMemoryState } from './state/state.js';
export type { SyncResult } from './store/accounting.js';
export {
  type Attachment,
  checkContentType,
  DEFAULT_CONTENT_TYPE,
  toAttachment,
  toMetadata,
} from './store/attachment.js';
export type { Budget } from './store/budget.js';
export type { BudgetMeter } from './store/budget-charges.js';
export type { CheckOptions } from './store/check.js';
export type { CleanupResult } from './store/cleanup.js';
export type { ReserveUploadOptions, SettleUploadOptions } from './store/detached-uploads.js';
export { RESERVED_END, RESERVED_PREFIX } from './store/expiry-index.js';
export { DEFAULT_ID_PATTERN, type StoreLogger, type StoreOptions } from './store/options.js';
export {
  createStore,
  type ReadResult,
  Store,
  type StoreLimits,
  type StoreUsage,
  type WriteOptions,
} from './store/store.js';
export type { PendingWrite } from './store/write.js';
export {
  abortError,
  type ByteSource,
  checkByteSource,
  raceAbort,
  readAll,
  resolveRange,
  throwIfAborted,
  toReadable,
} from './streams.js';
