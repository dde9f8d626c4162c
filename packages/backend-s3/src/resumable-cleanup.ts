/**
 * Cleanup of resumable uploads: one pass over the uploads folder removes uploads idle since before the cutoff and
 * segments no state names, and reports the multipart uploads still in use, which the stale-multipart sweep must
 * leave alone.
 */
import { isAttError } from '@att/store-core';
import type { S3Client } from './client.js';
import { discardUpload, readStateObject, UPLOADS_PREFIX, type UploadState } from './resumable-state.js';

/**
 * Aborts uploads idle since before `olderThan` and drops segments no state names. Returns how many uploads it
 * removed and the multipart upload ids of those still live.
 */
export async function cleanupUploads(
  client: S3Client,
  olderThan: Date,
): Promise<{ removed: number; live: Set<string> }> {
  const live = new Set<string>();
  const stale = new Set<string>();
  const withState = new Set<string>();
  let removed = 0;
  for await (const listed of client.listObjects({ prefix: UPLOADS_PREFIX })) {
    const name = listed.key.slice(UPLOADS_PREFIX.length);
    if (name.endsWith('.json') && !name.includes('/')) {
      const hash = name.slice(0, -'.json'.length);
      let state: UploadState;
      try {
        state = await readStateObject(client, listed.key);
      } catch (err) {
        if (isAttError(err, 'NOT_FOUND')) continue;
        throw err;
      }
      if (state.updatedAt < olderThan.getTime()) {
        await discardUpload(client, state);
        stale.add(hash);
        removed++;
      } else {
        withState.add(hash);
        if (state.uploadId) live.add(state.uploadId);
      }
    } else {
      // A segment: ListObjectsV2 sorts `<hash>.json` before `<hash>/…`, so its state was seen first if any.
      const hash = name.split('/')[0] ?? '';
      if (!withState.has(hash) && !stale.has(hash) && listed.lastModified < olderThan) {
        await client.deleteObjects([listed.key]);
      }
    }
  }
  return { removed, live };
}
