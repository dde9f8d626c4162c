export type { ByteRange, LimiterStore, RateLimit } from '@att/store-core';
export { createMemoryLimiterStore } from '@att/store-core';
export { ACTIVE_TYPES, isActiveType } from './active-types.js';
export { formatContentDisposition, parseContentDispositionFilename } from './content-disposition.js';
export type { DirectOptions } from './direct/config.js';
export { deferContinue } from './expect-continue.js';
export { sanitizeFilename } from './filename.js';
export type { ErrorContext } from './http-error.js';
export type { AttachmentsHttpOptions } from './http-options.js';
export { generateId } from './id.js';
export type {
  Action,
  AttachmentStore,
  AttachmentsOptions,
  FormFields,
  OnStored,
  StoredAttachment,
  StoreWriteOptions,
} from './options.js';
export { DEFAULTS } from './options.js';
export { type AttachmentsMiddleware, attachments } from './router.js';
export type { ResumableOptions } from './tus/config.js';
export type { UploadAnswer } from './upload-answers.js';
