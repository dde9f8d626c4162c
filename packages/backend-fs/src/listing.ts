/**
 * Streams the objects under `root` with `opendir` (never a whole directory in memory), skipping att's own folders
 * and files no key could name, and descending only into folders that can hold keys under the prefix.
 */
import type { Dirent } from 'node:fs';
import { lstat, opendir } from 'node:fs/promises';
import path from 'node:path';
import { isAttError, type ObjectInfo, throwIfAborted } from '@att/store-core';
import { fsError, isMissing } from './fs-errors.js';
import { keySegments, META_DIR, TMP_DIR } from './keys.js';
import { describeFile } from './object-file.js';

/** File, directory or something else; asks the disk when the directory entry does not say (DT_UNKNOWN). */
async function kindOf(entry: Dirent, file: string): Promise<'file' | 'directory' | 'other'> {
  if (entry.isFile()) return 'file';
  if (entry.isDirectory()) return 'directory';
  if (entry.isSymbolicLink() || entry.isFIFO() || entry.isSocket() || entry.isBlockDevice()) return 'other';
  if (entry.isCharacterDevice()) return 'other';
  const stats = await lstat(file).catch(() => undefined);
  if (stats?.isFile()) return 'file';
  return stats?.isDirectory() ? 'directory' : 'other';
}

/** Files whose names no key can produce (dropped there by hand) are not objects. */
function isKey(key: string): boolean {
  try {
    keySegments(key);
    return true;
  } catch {
    return false;
  }
}

export async function* walkObjects(root: string, prefix: string, signal?: AbortSignal): AsyncGenerator<ObjectInfo> {
  yield* walk(root, root, '', prefix, signal);
}

async function* walk(
  root: string,
  dir: string,
  keyPrefix: string,
  prefix: string,
  signal: AbortSignal | undefined,
): AsyncGenerator<ObjectInfo> {
  let entries: AsyncIterable<Dirent>;
  try {
    entries = await opendir(dir, { bufferSize: 128 });
  } catch (err) {
    if (isMissing(err)) return;
    throw fsError('list objects', err);
  }
  for await (const entry of entries) {
    throwIfAborted(signal, 'listing');
    if (keyPrefix === '' && (entry.name === TMP_DIR || entry.name === META_DIR)) continue;
    const key = keyPrefix + entry.name;
    const file = path.join(dir, entry.name);
    const kind = await kindOf(entry, file);
    if (kind === 'directory') {
      const folder = `${key}/`;
      if (folder.startsWith(prefix) || prefix.startsWith(folder)) yield* walk(root, file, folder, prefix, signal);
    } else if (kind === 'file' && key.startsWith(prefix) && isKey(key)) {
      let info: ObjectInfo;
      try {
        info = (await describeFile(root, key, file)).info;
      } catch (err) {
        // Deleted (or replaced by a folder) while we listed: not an object any more.
        if (isMissing(err) || isAttError(err, 'NOT_FOUND')) continue;
        throw fsError('list objects', err);
      }
      yield info;
    }
  }
}
