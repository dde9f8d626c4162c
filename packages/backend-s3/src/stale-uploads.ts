/**
 * The stale-upload sweep: multipart uploads under the prefix that were started before a cutoff and never
 * completed (a crashed process, an abort that failed) are aborted, so they stop costing storage.
 */
import { AttError } from '@att/store-core';
import type { PendingUpload } from './listing.js';

/** What the sweep needs of the client: its listing of pending uploads and its abort. */
export interface UploadSweeper {
  listMultipartUploads(options: { signal?: AbortSignal }): AsyncIterable<PendingUpload>;
  abortMultipartUpload(key: string, uploadId: string, options: { signal?: AbortSignal }): Promise<void>;
}

/**
 * Aborts every upload started before `olderThan` (a Date, or an age in ms); returns how many. Uploads without a
 * readable start time are left alone (never "infinitely old"); `keep` spares uploads someone still owns. All are
 * tried; failures are then thrown together (BACKEND_ERROR with an AggregateError cause), never swallowed.
 */
export async function abortStaleUploads(
  client: UploadSweeper,
  olderThan: Date | number,
  options: { signal?: AbortSignal; keep?: (upload: PendingUpload) => boolean },
): Promise<number> {
  const cutoff = typeof olderThan === 'number' ? Date.now() - olderThan : olderThan.getTime();
  if (Number.isNaN(cutoff)) throw new AttError('INVALID_REQUEST', 'olderThan must be a valid Date or age in ms');
  let aborted = 0;
  const failures: unknown[] = [];
  for await (const upload of client.listMultipartUploads(options)) {
    if (upload.initiated === undefined || upload.initiated.getTime() >= cutoff) continue;
    if (options.keep?.(upload)) continue;
    try {
      await client.abortMultipartUpload(upload.key, upload.uploadId, options);
      aborted++;
    } catch (err) {
      failures.push(err);
    }
  }
  if (failures.length > 0) {
    throw new AttError('BACKEND_ERROR', `S3: ${failures.length} stale multipart upload(s) could not be aborted`, {
      cause: new AggregateError(failures, 'AbortMultipartUpload failed'),
      details: { aborted, failed: failures.length },
    });
  }
  return aborted;
}
