import { AttError, isAttError } from '@att/store-core';
import type { ResolvedOptions, StoredAttachment } from './options.js';
import { readAhead } from './read-ahead.js';
import { SNIFF_BYTES, sniffContentType } from './sniff.js';
import type { VisitorMeter } from './visitor-meter.js';

/** Bytes read ahead of the store per upload: also the largest single write handed to it. */
const READ_AHEAD_BYTES = 512 * 1024;

export interface IncomingFile {
  source: AsyncIterator<Uint8Array>;
  /** Already sanitised; undefined gives "attachment.<ext>". */
  filename: string | undefined;
  claimedType: string | undefined;
  /** Declared length (raw uploads with Content-Length): the store refuses a body of another length. */
  size?: number;
}

export interface FileLimits {
  /** Bytes this file may have: the per-file limit, lowered to what the visitor had left when it started. */
  limit: number;
}

/**
 * Streams one file into the store: peeks at the first bytes to sniff the type, then hands the rest through a
 * counter that charges the visitor chunk by chunk and stops the stream at the first byte over a limit.
 */
export async function storeFile(
  opts: ResolvedOptions,
  id: string,
  file: IncomingFile,
  limits: FileLimits,
  meter: VisitorMeter,
  signal: AbortSignal,
): Promise<StoredAttachment> {
  const head: Uint8Array[] = [];
  let headBytes = 0;
  let done = false;
  while (headBytes < SNIFF_BYTES) {
    const next = await file.source.next();
    if (next.done) {
      done = true;
      break;
    }
    head.push(next.value);
    headBytes += next.value.length;
  }
  const sniffed = await sniffContentType(Buffer.concat(head), file.claimedType);
  const filename = file.filename ?? `attachment.${sniffed.ext}`;

  let meterError: unknown;
  let received = 0;
  const { fileSizeLimit } = opts;
  async function* metered(): AsyncGenerator<Uint8Array> {
    const take = async (chunk: Uint8Array) => {
      received += chunk.length;
      try {
        if (received > fileSizeLimit) {
          throw new AttError('TOO_LARGE', `file larger than ${fileSizeLimit} bytes`, {
            details: { limit: fileSizeLimit },
          });
        }
        await meter.chargeUpload(chunk.length);
      } catch (err) {
        meterError = err;
        throw err;
      }
    };
    for (const chunk of head) {
      await take(chunk);
      yield chunk;
    }
    if (done) return;
    yield* readAhead(file.source, READ_AHEAD_BYTES, take);
  }

  try {
    return await opts.store.write(id, metered(), {
      contentType: sniffed.type,
      filename,
      ...(file.size === undefined ? {} : { size: file.size }),
      ...(Number.isFinite(limits.limit) ? { limit: limits.limit } : {}),
      expiresAt: meter.expiresAt,
      signal,
    });
  } catch (err) {
    await meter.refund();
    if (meterError) throw meterError;
    // Nothing can be "not found" while writing: the backend lost its directory or bucket, an outage.
    if (isAttError(err, 'NOT_FOUND')) throw new AttError('BACKEND_UNAVAILABLE', 'storage unavailable', { cause: err });
    throw err;
  }
}
