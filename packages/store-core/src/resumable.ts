/**
 * Rules every resumable backend applies the same way (offset check, deferred length, the byte bound of one
 * append), so that memory, fs and S3 cannot disagree on what a valid append is.
 */
import type { AppendOptions, ResumableStatus } from './backend.js';
import { AttError } from './errors.js';
import { meter } from './meter.js';

/**
 * Checks an append against the stored status before any byte is read. Returns the length in force after the
 * append (undefined while still deferred) and how many bytes the body may bring at most.
 */
export function checkAppend(
  status: ResumableStatus,
  offset: number,
  options: AppendOptions,
): { length: number | undefined; maxBytes: number } {
  if (!Number.isSafeInteger(offset) || offset < 0)
    throw new AttError('INVALID_REQUEST', 'offset must be an integer ≥ 0');
  if (offset !== status.offset) {
    throw new AttError('CONFLICT', `the upload is at offset ${status.offset}, not ${offset}`, {
      details: { offset: status.offset },
    });
  }
  let length = status.length;
  if (options.length !== undefined) {
    if (!Number.isSafeInteger(options.length) || options.length < 0) {
      throw new AttError('INVALID_REQUEST', 'length must be an integer ≥ 0');
    }
    if (length !== undefined && length !== options.length) {
      throw new AttError('INVALID_REQUEST', 'the upload length is already set and cannot change');
    }
    if (options.length < offset) throw new AttError('SIZE_MISMATCH', 'the length is below the bytes already received');
    length = options.length;
  }
  return { length, maxBytes: length === undefined ? Number.MAX_SAFE_INTEGER - offset : length - offset };
}

/** Checks a length given at creation. */
export function checkCreateLength(length: number | undefined): void {
  if (length !== undefined && !(Number.isSafeInteger(length) && length >= 0)) {
    throw new AttError('INVALID_REQUEST', 'length must be an integer ≥ 0');
  }
}

/** `body` metered against the signal, failing with SIZE_MISMATCH (before the chunk is passed on) past `maxBytes`. */
export function boundedBody(
  body: AsyncIterable<Uint8Array>,
  maxBytes: number,
  signal: AbortSignal | undefined,
): AsyncGenerator<Uint8Array, number> {
  let received = 0;
  return meter(body, {
    signal,
    onChunk(bytes) {
      received += bytes;
      if (received > maxBytes) {
        throw new AttError('SIZE_MISMATCH', `the append brings more than the ${maxBytes} bytes left of the upload`);
      }
    },
  });
}

export function notAnUpload(): AttError {
  return new AttError('NOT_FOUND', 'resumable upload not found');
}

/** `complete` before the last byte arrived. */
export function incomplete(status: ResumableStatus): AttError {
  return new AttError(
    'SIZE_MISMATCH',
    status.length === undefined
      ? 'the upload length was never declared'
      : `the upload has ${status.offset} of ${status.length} bytes`,
    { details: { offset: status.offset, length: status.length } },
  );
}
