/** The options of one object upload, read by every upload path (single PUT, multipart). */
import type { ObjectHeaderOptions } from './object-headers.js';

export interface PutObjectOptions extends ObjectHeaderOptions {
  /** Declared length; the body must match it exactly (SIZE_MISMATCH otherwise, nothing stored). */
  size?: number;
  contentType?: string;
  /** Stored as `x-amz-meta-*`; names are lower-cased header tokens, values any UTF-8. */
  metadata?: Record<string, string>;
  /**
   * Called with the bytes uploaded so far: per acknowledged part for multipart, per chunk handed to the socket
   * for a streamed single PUT, once at the end for a buffered one.
   */
  onProgress?: (bytes: number) => void;
  signal?: AbortSignal;
}
