/**
 * `attachments({ direct, directDownloads })`: browsers move the bytes straight to and from the bucket with
 * presigned URLs, checked once at startup. The storage side is the Store's backend's `direct` capability; a store
 * without it still mounts the routes, which then answer 501 (so a page written for S3 gets a clear error on a
 * local directory, not a 404 that looks like a wrong mount path).
 */
import { randomBytes } from 'node:crypto';
import { AttError, type DirectTransfers, type Store } from '@att/store-core';
import { sealingKey } from './upload-key.js';

export interface DirectOptions {
  /** Lifetime of every presigned URL, in seconds. Default 900 (15 minutes). */
  expiresIn?: number;
  /** Bytes per multipart part (every part but the last), at least 5 MiB. Default 5 MiB, like Uppy's. */
  partSize?: number;
  /**
   * Seals the `key` each upload's later calls carry (its declared size, type, metadata and payer), so any instance
   * holding the same secret serves them: give every instance of a fleet the same one (≥ 32 bytes, e.g. 32 random
   * bytes in base64). Default: random per process, fine for a single instance.
   */
  secret?: string | Uint8Array;
}

export interface ResolvedDirect {
  /** Undefined when the Store's backend cannot presign: every direct route answers 501. */
  transfers: DirectTransfers | undefined;
  store: Store;
  expiresIn: number;
  partSize: number;
  /** The AES key derived from `secret`. */
  sealingKey: Buffer;
}

const MiB = 1024 * 1024;
export const DEFAULT_EXPIRES_IN = 900;
export const DEFAULT_PART_SIZE = 5 * MiB;
/** S3's own bounds on a presigned URL's lifetime. */
const MAX_EXPIRES_IN = 604_800;
const MIN_SECRET_BYTES = 32;

function invalid(field: string, message: string): AttError {
  return new AttError('INVALID_CONFIG', `attachments(): ${field} ${message}`, { details: { field } });
}

function transfersOf(store: unknown): DirectTransfers | undefined {
  return (store as Partial<Store> | undefined)?.backend?.direct;
}

function secretOf(given: unknown): Uint8Array {
  if (given === undefined) return randomBytes(MIN_SECRET_BYTES);
  const bytes = typeof given === 'string' ? Buffer.from(given, 'utf8') : given;
  // Never the value in the message: it is a secret.
  if (!(bytes instanceof Uint8Array) || bytes.length < MIN_SECRET_BYTES) {
    throw invalid('direct.secret', `must be a string or bytes of at least ${MIN_SECRET_BYTES} bytes`);
  }
  return bytes;
}

export function resolveDirect(given: boolean | DirectOptions | undefined, store: unknown): ResolvedDirect | undefined {
  if (given === undefined || given === false) return undefined;
  const options: DirectOptions = given === true ? {} : given;
  if (typeof options !== 'object' || options === null) {
    throw invalid('direct', 'must be true, false or { expiresIn?, partSize?, secret? }');
  }
  if (typeof (store as Partial<Store>).uploads?.reserve !== 'function') {
    throw invalid('direct', 'needs an @att/store-core Store (its uploads hold the reservations)');
  }
  const expiresIn = options.expiresIn ?? DEFAULT_EXPIRES_IN;
  if (!Number.isSafeInteger(expiresIn) || expiresIn < 1 || expiresIn > MAX_EXPIRES_IN) {
    throw invalid('direct.expiresIn', `must be whole seconds in 1..${MAX_EXPIRES_IN}, got ${String(expiresIn)}`);
  }
  const transfers = transfersOf(store);
  const minPartSize = transfers?.minPartSize ?? DEFAULT_PART_SIZE;
  const partSize = options.partSize ?? Math.max(DEFAULT_PART_SIZE, minPartSize);
  if (!Number.isSafeInteger(partSize) || partSize < minPartSize) {
    throw invalid('direct.partSize', `must be an integer ≥ ${minPartSize} bytes, got ${String(partSize)}`);
  }
  return {
    transfers,
    store: store as Store,
    expiresIn,
    partSize,
    sealingKey: sealingKey(secretOf(options.secret)),
  };
}

/** `directDownloads: true` redirects downloads to the bucket: only a backend that presigns can. */
export function resolveDirectDownloads(given: boolean | undefined, store: unknown): DirectTransfers | undefined {
  if (given === undefined || given === false) return undefined;
  if (given !== true) throw invalid('directDownloads', 'must be a boolean');
  const transfers = transfersOf(store);
  if (!transfers) throw invalid('directDownloads', "needs a Store whose backend presigns URLs (S3's does)");
  return transfers;
}
