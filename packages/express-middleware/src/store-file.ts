/**
 * Streams one file into a prepared store write: peeks at the first bytes to sniff the type, then hands the whole
 * body on. The Store meters and charges every byte (its reservation was made before the first byte was read).
 */
import type { Readable } from 'node:stream';
import { AttError, isAttError, type PendingWrite } from '@att/store-core';
import type { StoredAttachment } from './options.js';
import { readAhead } from './read-ahead.js';
import { SNIFF_BYTES, sniffContentType } from './sniff.js';

/**
 * Bytes of a raw upload read ahead of the store: also the largest single write handed to it. Two socket reads'
 * worth keeps the socket busy while the backend writes; more only raised the peak RSS of many concurrent uploads
 * (bench: 512 KiB here and a 1 MiB write queue were about 12 MiB more at 8 uploads).
 */
const READ_AHEAD_BYTES = 128 * 1024;

/** Chunks of one file, pulled by the store; `replay` puts chunks already taken back in front. */
export interface ChunkReader extends AsyncIterableIterator<Uint8Array> {
  return(value?: unknown): Promise<IteratorResult<Uint8Array, undefined>>;
  replay(chunks: Uint8Array[]): void;
}

export interface IncomingFile {
  /** The request (raw upload, read ahead here) or a multipart part's reader. */
  source: Readable | ChunkReader;
  /** Already sanitised; undefined gives "attachment.<ext>". */
  filename: string | undefined;
  claimedType: string | undefined;
  /** Store nothing (and resolve to undefined) when the body turns out empty: a browser's empty file input. */
  skipIfEmpty?: boolean;
}

const ignore = (): void => {};

export async function storeFile(pending: PendingWrite, file: IncomingFile): Promise<StoredAttachment | undefined> {
  const { source } = file;
  const reader = 'replay' in source ? source : readAhead(source, READ_AHEAD_BYTES, ignore);

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
    await pending.cancel();
    throw err;
  }
  // One chunk (the usual case) is sniffed as it is: copying it would only make garbage.
  const headBuffer = head.length === 1 ? (head[0] as Uint8Array) : Buffer.concat(head);
  if (done && headBuffer.length === 0 && file.skipIfEmpty) {
    await pending.cancel();
    await reader.return();
    return undefined;
  }
  const sniffed = await sniffContentType(headBuffer.subarray(0, SNIFF_BYTES), file.claimedType);
  const filename = file.filename ?? `attachment.${sniffed.ext}`;

  // The peeked chunks go back in front: the store reads them, then the rest, from the same reader.
  reader.replay(head);

  try {
    return await pending.write(reader, { contentType: sniffed.type, filename });
  } catch (err) {
    // Nothing can be "not found" while writing: the backend lost its directory or bucket, an outage.
    if (isAttError(err, 'NOT_FOUND')) throw new AttError('BACKEND_UNAVAILABLE', 'storage unavailable', { cause: err });
    throw err;
  } finally {
    // The store may have stopped (or never started) reading: detach from the stream either way.
    await reader.return(undefined);
  }
}
