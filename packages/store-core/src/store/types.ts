import type { Readable } from 'node:stream';
import type { Attachment } from './attachment.js';
import type { Budget } from './budget.js';

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
  /** Caller budgets charged with the same bytes as the store's total (a visitor's total, daily bandwidth). */
  budgets?: readonly Budget[];
  /**
   * The caller just generated this id, so no object can exist under it: the Store skips the `head` that learns
   * the size of a replaced object (one request less, and no permission to read missing keys needed). A caller
   * that says so of an existing id leaves the replaced bytes counted until the next `sync()`.
   */
  isNew?: boolean;
  signal?: AbortSignal;
}

/** The limits a Store enforces, as configured (undefined: none). */
export interface StoreLimits {
  fileSizeLimit: number | undefined;
  totalSizeLimit: number | undefined;
  expiry: number | undefined;
  /** Milliseconds after which an idle incomplete upload is removed by cleanup (resumable uploads expire then). */
  staleUploadAge: number;
}

/** The shared truth of a Store's total, from its ledger. */
export interface StoreUsage {
  /** Bytes of stored attachments. */
  bytes: number;
  /** Bytes reserved by writes in flight (in every process sharing the ledger). */
  reserved: number;
}

export interface ReadResult {
  attachment: Attachment;
  body: Readable;
  /** The satisfied range (end inclusive), when one was asked for. */
  range?: { start: number; end: number };
}
