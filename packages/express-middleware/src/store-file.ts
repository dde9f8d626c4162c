import type { Readable } from 'node:stream';
import { AttError, isAttError } from '@att/store-core';
import type { ResolvedOptions, StoredAttachment } from './options.js';
import { readAhead } from './read-ahead.js';
import { SNIFF_BYTES, sniffContentType } from './sniff.js';
import type { VisitorMeter } from './visitor-meter.js';

/** Bytes read ahead of the store per upload: also the largest single write handed to it. */
const READ_AHEAD_BYTES = 512 * 1024;

export interface IncomingFile {
  /** The request (raw upload) or the multipart file stream. */
  source: Readable;
  /** Already sanitised; undefined gives "attachment.<ext>". */
  filename: string | undefined;
  claimedType: string | undefined;
  /** Declared length (raw uploads with Content-Length): the store refuses a body of another length. */
  size?: number;
  /** Store nothing (and resolve to undefined) when the body turns out empty: a browser's empty file input. */
  skipIfEmpty?: boolean;
}

/**
 * Streams one file into the store: peeks at the first bytes to sniff the type, then hands the rest through a
 * counter that charges the visitor chunk by chunk and stops the stream at the first byte over a limit.
 */
export async function storeFile(
  opts: ResolvedOptions,
  id: string,
  file: IncomingFile,
  /** What the visitor had left when the request started: lowers the per-file limit for this file. */
  remaining: { total: number; bandwidth: number },
  meter: VisitorMeter,
  signal: AbortSignal,
): Promise<StoredAttachment | undefined> {
  let meterError: unknown;
  let received = 0;
  const { fileSizeLimit } = opts;
  const limit = Math.min(fileSizeLimit, remaining.total, remaining.bandwidth);
  // Charges each chunk as it arrives; synchronous whenever the limiter store is (the in-memory one is).
  const take = (chunk: Uint8Array): void | Promise<void> => {
    received += chunk.length;
    const fail = (err: unknown): never => {
      meterError = err;
      throw err;
    };
    if (received > fileSizeLimit) {
      fail(new AttError('TOO_LARGE', `file larger than ${fileSizeLimit} bytes`, { details: { limit: fileSizeLimit } }));
    }
    try {
      const charged = meter.chargeUpload(chunk.length);
      return charged ? charged.catch(fail) : undefined;
    } catch (err) {
      return fail(err);
    }
  };
  const reader = readAhead(file.source, READ_AHEAD_BYTES, take);

  // Peek at the first bytes for the type; they are written first, then the rest as it comes.
  const head: Uint8Array[] = [];
  let headBytes = 0;
  let done = false;
  try {
    while (headBytes < SNIFF_BYTES) {
      const next = await reader.next();
      if (next.done) {
        done = true;
        break;
      }
      head.push(next.value);
      headBytes += next.value.length;
    }
  } catch (err) {
    await meter.refund();
    throw err;
  }
  // One chunk (the usual case) is sniffed as it is: copying it would only make garbage.
  const headBuffer = head.length === 1 ? (head[0] as Uint8Array) : Buffer.concat(head);
  if (done && headBuffer.length === 0 && file.skipIfEmpty) {
    await reader.return();
    return undefined;
  }
  const sniffed = await sniffContentType(headBuffer.subarray(0, SNIFF_BYTES), file.claimedType);
  const filename = file.filename ?? `attachment.${sniffed.ext}`;

  // The peeked chunks go back in front: the store reads them, then the rest, from the same reader.
  reader.replay(head);

  try {
    return await opts.store.write(id, reader, {
      contentType: sniffed.type,
      filename,
      ...(file.size === undefined ? {} : { size: file.size }),
      ...(Number.isFinite(limit) ? { limit } : {}),
      expiresAt: meter.expiresAt,
      signal,
    });
  } catch (err) {
    await meter.refund();
    if (meterError) throw meterError;
    // Nothing can be "not found" while writing: the backend lost its directory or bucket, an outage.
    if (isAttError(err, 'NOT_FOUND')) throw new AttError('BACKEND_UNAVAILABLE', 'storage unavailable', { cause: err });
    throw err;
  } finally {
    // The store may have stopped (or never started) reading: detach from the stream either way.
    await reader.return(undefined);
  }
}
