/** Removal of temp files left by uploads that never finished (crashes, killed processes). */
import { opendir, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { fsError, isMissing } from './fs-errors.js';
import { TMP_DIR } from './keys.js';

/** Deletes temp files not modified since `olderThan`; returns how many uploads that abandoned. */
export async function removeStaleTempFiles(root: string, olderThan: Date): Promise<number> {
  const tmp = path.join(root, TMP_DIR);
  let removed = 0;
  let entries: AsyncIterable<import('node:fs').Dirent>;
  try {
    entries = await opendir(tmp, { bufferSize: 128 });
  } catch (err) {
    if (isMissing(err)) return 0;
    throw fsError('list temp files', err);
  }
  for await (const entry of entries) {
    const file = path.join(tmp, entry.name);
    try {
      // Every write touches its temp file, so a live upload stays newer than any sane cutoff.
      if ((await stat(file)).mtime >= olderThan) continue;
      await unlink(file);
      if (entry.name.endsWith('.data')) removed += 1;
    } catch (err) {
      if (!isMissing(err)) throw fsError('remove a temp file', err);
    }
  }
  return removed;
}
