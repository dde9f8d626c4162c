/**
 * The Store's write path: argument and limit checks before any byte is read, then (under the id's lock) metering
 * the body against the per-file and total limits while the backend stores it, and settling the size accounting.
 */
import type { Backend } from '../backend.js';
import { AttError, isAttError } from '../errors.js';
import { type ByteSource, checkByteSource, meter, throwIfAborted } from '../streams.js';
import type { Accounting } from './accounting.js';
import { type Attachment, checkContentType, toAttachment, toMetadata } from './attachment.js';
import type { KeyedLock } from './keyed-lock.js';
import type { StoreOptions } from './options.js';
import type { WriteOptions } from './types.js';

const MAX_FILENAME = 1024;

/** What a write needs from its Store. */
export interface WriteContext {
  backend: Backend;
  accounting: Accounting;
  lock: KeyedLock;
  options: StoreOptions;
  now: () => number;
  /** Bytes still free under `totalSizeLimit` (Infinity without a limit). */
  remaining: () => number;
  /** Size of the stored object, undefined when there is none. */
  sizeOf: (id: string) => Promise<number | undefined>;
}

/** Stores `body` under `id` (already validated); see `Store.write`. */
export async function writeAttachment(
  ctx: WriteContext,
  id: string,
  body: ByteSource,
  options: WriteOptions,
): Promise<Attachment> {
  checkByteSource(body);
  const contentType = checkContentType(options.contentType);
  const { filename, size, signal } = options;
  if (filename !== undefined && (typeof filename !== 'string' || encodeURIComponent(filename).length > MAX_FILENAME)) {
    // Measured percent-encoded, as stored: all metadata must fit S3's 2 KiB.
    throw new AttError('INVALID_REQUEST', `filename must be a string of at most ${MAX_FILENAME} bytes percent-encoded`);
  }
  const fileLimit = Math.min(ctx.options.fileSizeLimit ?? Infinity, options.limit ?? Infinity);
  const totalLimit = ctx.options.totalSizeLimit;
  if (size !== undefined) {
    if (!Number.isSafeInteger(size) || size < 0) throw new AttError('INVALID_REQUEST', 'size must be an integer ≥ 0');
    if (size > fileLimit) throw tooLarge(fileLimit);
    if (size > ctx.remaining()) throw quotaExceeded(totalLimit);
  }
  throwIfAborted(signal, 'upload');

  return ctx.lock.run(id, async () => {
    throwIfAborted(signal, 'upload');
    const { accounting, backend } = ctx;
    // The size of the object this write replaces is only needed when the write settles, so the `head` runs
    // while the bytes stream instead of delaying the first one. The body does not end (see `beforeEnd`) until
    // the head has answered and the operation is registered, and backends publish only after the body's end:
    // the head can never see this write's own object.
    let before: number | undefined;
    let begun = false;
    let over = false;
    const learned = ctx.sizeOf(id).then((size) => {
      if (over) return;
      before = size;
      accounting.beginOp(id, size);
      begun = true;
    });
    learned.catch(() => {});
    let charged = 0;
    let limitError: AttError | undefined;
    // A write over a limit is doomed: its bytes go back at once, not after the backend has cleaned up, so
    // concurrent writes can use the space meanwhile (else a crowd of doomed writes can starve every other).
    const failLimit = (error: AttError): never => {
      limitError = error;
      accounting.settleWrite(charged, undefined, undefined);
      charged = 0;
      throw error;
    };
    const charge = (bytes: number): void | Promise<void> => {
      if (charged + bytes > fileLimit) failLimit(tooLarge(fileLimit));
      const settle = (ok: boolean) => {
        if (!ok) failLimit(quotaExceeded(totalLimit));
        charged += bytes;
      };
      const added = accounting.charge(bytes, totalLimit);
      return typeof added === 'boolean' ? settle(added) : added.then(settle);
    };
    const createdAt = new Date(ctx.now());
    const expiresAt =
      options.expiresAt ??
      (ctx.options.expiry === undefined ? undefined : new Date(createdAt.getTime() + ctx.options.expiry));
    const facts = { createdAt, ...(filename === undefined ? {} : { filename }), ...(expiresAt ? { expiresAt } : {}) };
    try {
      const metered = meter(body, { signal, expectedSize: size, onChunk: charge, beforeEnd: () => learned });
      const info = await backend.put(id, metered, { size, contentType, metadata: toMetadata(facts), signal });
      // Only a backend that published without reading the body to its end gets here first (contract breach).
      await learned;
      accounting.settleWrite(charged, before, charged);
      over = true;
      accounting.endOp(id, charged);
      return toAttachment(id, { ...info, size: charged }, ctx.options.expiry);
    } catch (err) {
      over = true;
      accounting.settleWrite(charged, before, undefined);
      if (begun) accounting.endOp(id, before);
      if (limitError) throw limitError;
      if (signal?.aborted && !isAttError(err, 'ABORTED'))
        throw new AttError('ABORTED', 'upload aborted', { cause: err });
      throw err;
    }
  });
}

function tooLarge(limit: number): AttError {
  return new AttError('TOO_LARGE', `attachment exceeds the size limit of ${limit} bytes`, { details: { limit } });
}

function quotaExceeded(limit: number | undefined): AttError {
  return new AttError('QUOTA_EXCEEDED', 'attachment storage is full', { details: { limit } });
}
