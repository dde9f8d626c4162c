import type { Backend } from '../backend.js';
import { AttError } from '../errors.js';
import type { BackendRegistry } from '../registry.js';
import type { SizeLedger } from './ledger.js';

/** Where the Store reports problems it survives (a failing cleanup page, an unreachable backend during a pass). */
export interface StoreLogger {
  warn(message: string, details?: Record<string, unknown>): void;
}

export interface StoreOptions {
  /** A backend, or a URL / bare path resolved through the registry (the Store then owns and closes it). */
  backend: Backend | string | URL;
  /** Options passed to the plugin when `backend` is a URL. */
  backendOptions?: unknown;
  /** Registry used for URL backends; defaults to the process-wide one (`registerBackend`). */
  registry?: BackendRegistry;
  /** Bytes all attachments together may use. No limit when absent. */
  totalSizeLimit?: number;
  /** Bytes one attachment may have. No limit when absent. */
  fileSizeLimit?: number;
  /** Milliseconds an attachment lives after it was written. Never expires when absent; 0 expires at once. */
  expiry?: number;
  /** Valid ids. Default `^[A-Za-z0-9_-]{1,128}$`. */
  idPattern?: RegExp;
  /** Given a page of stored ids, resolves to those the app still references. Enables orphan cleanup. */
  isReferenced?: (ids: string[]) => Promise<Iterable<string>>;
  /** Milliseconds an unreferenced object is kept before it counts as an orphan. Default 1 h. */
  orphanGracePeriod?: number;
  /** Milliseconds after which incomplete uploads (temp files, multipart uploads) are aborted. Default 1 h. */
  staleUploadAge?: number;
  /** Ids asked of `isReferenced` (and deleted) per batch. Default 1000. */
  pageSize?: number;
  /** The byte counter; defaults to an in-process one. */
  ledger?: SizeLedger;
  logger?: StoreLogger;
  /** Clock in epoch milliseconds (tests inject one to check expiry without waiting). */
  now?: () => number;
}

export const HOUR = 60 * 60 * 1000;
export const DEFAULT_ID_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;

function checkAmount(name: string, value: number | undefined, allowInfinity: boolean): void {
  if (value === undefined) return;
  const ok = typeof value === 'number' && value >= 0 && (Number.isFinite(value) || (allowInfinity && value > 0));
  if (!ok) throw new AttError('INVALID_CONFIG', `${name} must be a non-negative number, got ${String(value)}`);
}

/** Throws INVALID_CONFIG for options that can only be mistakes. */
export function checkStoreOptions(options: StoreOptions): void {
  if (!options || options.backend === undefined || options.backend === null) {
    throw new AttError('INVALID_CONFIG', 'createStore needs a backend (a Backend object, a URL or a path)');
  }
  checkAmount('totalSizeLimit', options.totalSizeLimit, true);
  checkAmount('fileSizeLimit', options.fileSizeLimit, true);
  checkAmount('expiry', options.expiry, false);
  checkAmount('orphanGracePeriod', options.orphanGracePeriod, false);
  checkAmount('staleUploadAge', options.staleUploadAge, false);
  if (options.pageSize !== undefined && !(Number.isSafeInteger(options.pageSize) && options.pageSize > 0)) {
    throw new AttError('INVALID_CONFIG', 'pageSize must be a positive integer');
  }
  if (options.idPattern !== undefined && !(options.idPattern instanceof RegExp)) {
    throw new AttError('INVALID_CONFIG', 'idPattern must be a RegExp');
  }
  if (options.isReferenced !== undefined && typeof options.isReferenced !== 'function') {
    throw new AttError('INVALID_CONFIG', 'isReferenced must be a function');
  }
}

export const consoleLogger: StoreLogger = {
  warn(message, details) {
    console.warn(`[att] ${message}`, details ?? '');
  },
};
