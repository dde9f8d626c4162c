export type { ByteRange, LimiterStore, RateLimit } from '@att/store-core';
export { createMemoryLimiterStore } from '@att/store-core';
export { formatContentDisposition, parseContentDispositionFilename } from './content-disposition.js';
export { sanitizeFilename } from './filename.js';
export { generateId } from './id.js';
export type {
  Action,
  AttachmentStore,
  AttachmentsOptions,
  StoredAttachment,
  StoreWriteOptions,
} from './options.js';
export { DEFAULTS } from './options.js';
export { attachments } from './router.js';
export { isActiveType } from './sniff.js';
export type { UploadAnswer } from './upload-answers.js';
