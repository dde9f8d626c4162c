/**
 * A CreateMultipartUpload that had to be retried may have created an upload whose answer was lost: nobody knows its
 * id, so it would cost storage until the stale-upload sweep (an hour by default). Right after such a retry, the
 * key's pending uploads are listed and the ones started during our attempts are aborted.
 *
 * "During our attempts" is judged on the server's clock (Initiated), widened by 2 s for servers that keep whole
 * seconds and for the clock offset. What cannot be told apart: another process starting an upload of the same key
 * within those seconds. Two writers of one key race anyway (the last Complete wins); the Store's per-id lock rules
 * it out within a process. A server that lists no pending uploads (fauxqs) leaves nothing to do.
 */

import type { S3Transport } from './transport.js';
import type { UploadTarget } from './upload-target.js';
import { date, list, parseXml, text } from './xml.js';

const SLACK_MS = 2_000;

/** Aborts uploads of `target` other than `keep` initiated in [startedAt, now] (ms, our clock). Best effort. */
export async function abortOrphanedCreates(
  transport: S3Transport,
  target: UploadTarget,
  keep: string,
  startedAt: number,
): Promise<number> {
  let aborted = 0;
  try {
    const operation = 'ListMultipartUploads';
    const response = await transport.send(
      { operation, method: 'GET', query: { uploads: '', prefix: target.fullKey }, readText: true },
      undefined,
    );
    const root = parseXml(response.text, operation).ListMultipartUploadsResult;
    if (root === null || typeof root !== 'object') return 0;
    const from = startedAt + transport.clockOffset - SLACK_MS;
    const to = Date.now() + transport.clockOffset + SLACK_MS;
    for (const item of list(root as Record<string, unknown>, 'Upload')) {
      const uploadId = text(item, 'UploadId');
      const initiated = date(item, 'Initiated')?.getTime();
      if (text(item, 'Key') !== target.fullKey || !uploadId || uploadId === keep) continue;
      if (initiated === undefined || initiated < from || initiated > to) continue;
      await transport.send(
        { operation: 'AbortMultipartUpload', key: target.key, method: 'DELETE', query: { uploadId }, readText: true },
        target.encodedKey,
      );
      aborted++;
    }
  } catch {
    // Best effort: the stale-upload sweep still removes what this could not.
  }
  return aborted;
}
