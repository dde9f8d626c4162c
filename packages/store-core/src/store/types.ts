import type { Readable } from 'node:stream';
import type { Attachment } from './attachment.js';

export interface WriteOptions {
  contentType?: string;
  /** Original file name; any UTF-8 up to 1024 bytes percent-encoded (1024 ASCII letters, ~340 bytes of others). */
  filename?: string;
  /** Declared size: over a limit fails before any byte is read; a different actual length fails SIZE_MISMATCH. */
  size?: number;
  /** A per-call byte limit on top of `fileSizeLimit` (e.g. what a visitor has left); exceeding it is TOO_LARGE. */
  limit?: number;
  /** Overrides the store's `expiry` for this attachment. */
  expiresAt?: Date;
  signal?: AbortSignal;
}

export interface ReadResult {
  attachment: Attachment;
  body: Readable;
  /** The satisfied range (end inclusive), when one was asked for. */
  range?: { start: number; end: number };
}
