/**
 * Metadata sidecars. A sidecar is named after the inode of the data file it describes
 * (`.att-meta/<ino>.json`) and is in place before that data file is renamed to its key, so the single rename of the
 * data file publishes bytes and metadata together: a reader that opens the file and reads `<its ino>.json` can never
 * pair new bytes with old metadata, and concurrent writers of one key never mix their sidecars.
 */
import { open, readFile, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { ObjectInfo } from '@att/store-core';
import { errnoOf, isMissing } from './fs-errors.js';
import { META_DIR } from './keys.js';

export interface Sidecar {
  /** The key the data file was written for (guards against inode reuse). */
  key: string;
  contentType?: string;
  metadata: Record<string, string>;
}

export function sidecarPath(root: string, ino: number | bigint): string {
  return path.join(root, META_DIR, `${ino}.json`);
}

/**
 * Writes the sidecar in place (open, write, close: no temp file and rename). Nobody reads it half-written: it is
 * named after the inode of a data file that is not published yet, and that inode cannot belong to any other live
 * file. A reader racing a delete of an older file with the same (since reused) inode could see it half-written,
 * but that reader already finds no sidecar at all in the same race and reads no metadata either way.
 */
export async function writeSidecar(target: string, sidecar: Sidecar, fsync: boolean): Promise<void> {
  const handle = await open(target, 'w', 0o600);
  try {
    await handle.write(JSON.stringify(sidecar));
    if (fsync) await handle.sync();
  } finally {
    await handle.close();
  }
}

/** The sidecar of inode `ino` if it belongs to `key`; undefined when absent or stale. */
export async function readSidecar(root: string, ino: number | bigint, key: string): Promise<Sidecar | undefined> {
  let text: string;
  try {
    text = await readFile(sidecarPath(root, ino), 'utf8');
  } catch (err) {
    if (isMissing(err)) return undefined;
    throw err;
  }
  try {
    const parsed = JSON.parse(text) as Sidecar;
    return parsed && parsed.key === key ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** Removes the sidecar of a data file that no longer exists; only if it still belongs to `key`. */
export async function dropSidecar(root: string, ino: number | bigint, key: string): Promise<void> {
  try {
    if (!(await readSidecar(root, ino, key))) return;
    await unlink(sidecarPath(root, ino));
  } catch (err) {
    if (!isMissing(err) && errnoOf(err) !== 'EISDIR') throw err;
  }
}

/** The ObjectInfo of a data file: size and time from its stats, the rest from its sidecar. */
export function toObjectInfo(
  key: string,
  stats: { size: number; mtime: Date },
  sidecar: Sidecar | undefined,
): ObjectInfo {
  const info: ObjectInfo = { key, size: stats.size, lastModified: stats.mtime, metadata: { ...sidecar?.metadata } };
  if (sidecar?.contentType !== undefined) info.contentType = sidecar.contentType;
  return info;
}
