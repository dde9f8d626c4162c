/**
 * What an object file holds: its data size and ObjectInfo, from the trailer at its end (trailer.ts), or, for
 * objects written before trailers, from the whole file and its sidecar (sidecar.ts). One place for get, head and
 * list, so the two formats are told apart the same way everywhere.
 */
import type { ObjectInfo } from '@att/store-core';
import { FdFile, type ReadableFile } from './fd-file.js';
import { notFound } from './fs-errors.js';
import { readSidecar, toObjectInfo } from './sidecar.js';
import { readTrailer } from './trailer.js';

export interface DescribedObject {
  info: ObjectInfo;
  /** Bytes of object data at the start of the file. */
  dataSize: number;
}

/** Describes the object in an open file (`stats` from its fstat). */
export async function describeOpenFile(
  root: string,
  key: string,
  handle: ReadableFile,
  stats: { size: number; mtime: Date; ino: number },
): Promise<DescribedObject> {
  const trailer = await readTrailer(handle, stats.size, key);
  if (trailer) {
    const info = toObjectInfo(key, { size: trailer.dataSize, mtime: stats.mtime }, trailer.meta);
    return { info, dataSize: trailer.dataSize };
  }
  return { info: toObjectInfo(key, stats, await readSidecar(root, stats.ino, key)), dataSize: stats.size };
}

/** Opens `file`, describes the object in it, closes it. NOT_FOUND when it is not a regular file. */
export async function describeFile(root: string, key: string, file: string): Promise<DescribedObject> {
  const handle = await FdFile.open(file, 'r');
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw notFound();
    return await describeOpenFile(root, key, handle, stats);
  } finally {
    await handle.close();
  }
}
