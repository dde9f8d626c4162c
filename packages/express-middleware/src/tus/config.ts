/**
 * `attachments({ resumable })`: what the tus endpoint is configured with, checked once at startup. The storage
 * side comes from the Store's backend (`backend.resumable`); a backend without it cannot serve tus, which is a
 * configuration error, not a 404 at the first upload.
 */
import { AttError, createMemoryLease, type Lease, type Resumable, type Store } from '@att/store-core';

export interface ResumableOptions {
  /** Largest upload in bytes (Tus-Max-Size). Default: the middleware's file size limit. May only narrow it. */
  maxSize?: number;
  /** Largest body of one PATCH (or creation-with-upload POST); a bigger one is refused with 413. Default: none. */
  chunkSizeLimit?: number;
  /**
   * Who may write an upload at a time, across processes: a Lease from the shared state (`state.lease`) when
   * several instances serve the same uploads. Default: this process only.
   */
  lease?: Lease;
}

export interface ResolvedResumable {
  resumable: Resumable;
  store: Store;
  maxSize: number;
  chunkSizeLimit: number;
  lease: Lease;
}

function positive(name: string, value: number | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !(value > 0) || !Number.isSafeInteger(value)) {
    throw new AttError(
      'INVALID_CONFIG',
      `attachments(): resumable.${name} must be a positive integer, got ${String(value)}`,
    );
  }
  return value;
}

export function resolveResumable(
  given: boolean | ResumableOptions | undefined,
  store: unknown,
  fileSizeLimit: number,
): ResolvedResumable | undefined {
  if (given === undefined || given === false) return undefined;
  const options: ResumableOptions = given === true ? {} : given;
  if (typeof options !== 'object' || options === null) {
    throw new AttError(
      'INVALID_CONFIG',
      'attachments(): resumable must be true, false or { maxSize?, chunkSizeLimit?, lease? }',
    );
  }
  const resumable = (store as Partial<Store> | undefined)?.backend?.resumable;
  if (!resumable) {
    throw new AttError(
      'INVALID_CONFIG',
      'attachments(): resumable needs a Store whose backend offers resumable uploads (memory, fs and S3 do)',
    );
  }
  const maxSize = positive('maxSize', options.maxSize) ?? fileSizeLimit;
  if (maxSize > fileSizeLimit) {
    throw new AttError(
      'INVALID_CONFIG',
      `attachments(): resumable.maxSize (${maxSize}) is above fileSizeLimit (${fileSizeLimit}); it may only narrow it`,
    );
  }
  if (options.lease !== undefined && typeof options.lease?.acquire !== 'function') {
    throw new AttError('INVALID_CONFIG', 'attachments(): resumable.lease must be a Lease (acquire, renew, release)');
  }
  return {
    resumable,
    store: store as Store,
    maxSize,
    chunkSizeLimit: positive('chunkSizeLimit', options.chunkSizeLimit) ?? Number.POSITIVE_INFINITY,
    lease: options.lease ?? createMemoryLease(),
  };
}
