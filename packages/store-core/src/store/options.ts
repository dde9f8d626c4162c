import type { Backend } from '../backend.js';
import { AttError } from '../errors.js';
import type { Logger } from '../logging/logger.js';
import type { BackendRegistry } from '../registry.js';
import type { Lease } from '../state/lease.js';
import type { Ledger } from '../state/ledger.js';

/** @deprecated The Store takes any `Logger` (pino's shape: `warn(obj, msg)`); this is its former name. */
export type StoreLogger = Logger;

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
  /**
   * Where the store's total is counted (and reserved by writes in flight). Default: in this process. Give a
   * shared one (`@att/state-redis`) when several processes use one bucket or directory.
   */
  ledger?: Ledger;
  /** The ledger counter holding this store's total. Default "store"; stores sharing a ledger need distinct ones. */
  ledgerKey?: string;
  /** With a shared lease, one process of a fleet runs each cleanup pass; the others skip theirs. Default: in-process. */
  lease?: Lease;
  /**
   * Milliseconds a write's reservation lives without renewal. The writing process renews it every third of
   * this while the write runs, so a process that dies frees its reservations after at most this long. Default 30 s.
   */
  reservationTtl?: number;
  /** Bytes reserved at a time for bodies of unknown length (fewer ledger round trips). Default 1 MiB. */
  reserveAhead?: number;
  /**
   * Where the Store reports problems it survives (a failing cleanup page, a lost lease), pino-shaped
   * (`warn(obj, msg)`); objects are redacted before they reach it. Default: warnings on the console.
   */
  logger?: Logger;
  /** Clock in epoch milliseconds (tests inject one to check expiry without waiting). */
  now?: () => number;
}

export const HOUR = 60 * 60 * 1000;
export const DEFAULT_RESERVATION_TTL = 30_000;
export const DEFAULT_RESERVE_AHEAD = 1024 * 1024;
export const DEFAULT_ID_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;

/** A config error naming the offending field, in the message and as `details.field`. */
export function configError(field: string, message: string): AttError {
  return new AttError('INVALID_CONFIG', message, { details: { field } });
}

function checkAmount(name: string, value: number | undefined, allowInfinity: boolean): void {
  if (value === undefined) return;
  const ok = typeof value === 'number' && value >= 0 && (Number.isFinite(value) || (allowInfinity && value > 0));
  if (!ok) throw configError(name, `${name} must be a non-negative number, got ${String(value)}`);
}

/** Throws INVALID_CONFIG for options that can only be mistakes. */
export function checkStoreOptions(options: StoreOptions): void {
  if (!options || options.backend === undefined || options.backend === null) {
    throw configError('backend', 'createStore needs a backend (a Backend object, a URL or a path)');
  }
  checkAmount('totalSizeLimit', options.totalSizeLimit, true);
  checkAmount('fileSizeLimit', options.fileSizeLimit, true);
  checkAmount('expiry', options.expiry, false);
  checkAmount('orphanGracePeriod', options.orphanGracePeriod, false);
  checkAmount('staleUploadAge', options.staleUploadAge, false);
  if (
    options.reservationTtl !== undefined &&
    !(Number.isFinite(options.reservationTtl) && options.reservationTtl >= 30)
  ) {
    throw configError('reservationTtl', `reservationTtl must be at least 30 ms, got ${String(options.reservationTtl)}`);
  }
  if (
    options.reserveAhead !== undefined &&
    !(Number.isSafeInteger(options.reserveAhead) && options.reserveAhead >= 1)
  ) {
    throw configError('reserveAhead', `reserveAhead must be a positive integer, got ${String(options.reserveAhead)}`);
  }
  if (options.ledgerKey !== undefined && !(typeof options.ledgerKey === 'string' && options.ledgerKey !== '')) {
    throw configError('ledgerKey', 'ledgerKey must be a non-empty string');
  }
  for (const [name, value, method] of [
    ['ledger', options.ledger, 'reserve'],
    ['lease', options.lease, 'acquire'],
  ] as const) {
    if (value !== undefined && typeof (value as unknown as Record<string, unknown>)?.[method] !== 'function') {
      throw configError(name, `${name} must implement the ${name === 'ledger' ? 'Ledger' : 'Lease'} interface`);
    }
  }
  if (options.pageSize !== undefined && !(Number.isSafeInteger(options.pageSize) && options.pageSize > 0)) {
    throw configError('pageSize', 'pageSize must be a positive integer');
  }
  if (options.idPattern !== undefined && !(options.idPattern instanceof RegExp)) {
    throw configError('idPattern', 'idPattern must be a RegExp');
  }
  if (options.isReferenced !== undefined && typeof options.isReferenced !== 'function') {
    throw configError('isReferenced', 'isReferenced must be a function');
  }
}
