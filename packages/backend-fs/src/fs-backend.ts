/**
 * A Backend on a local directory.
 *
 * Layout inside `dir`: objects at `<key>` (keys with `/` become sub-directories), each file its object's bytes
 * followed by a metadata trailer (trailer.ts), and uploads in progress in `.att-tmp/`. A put streams data and
 * trailer into a temp file, optionally fsyncs it, and only then renames it onto its key: readers see the old
 * object or the whole new one, never a part. With `fsync` (the default) the file and its directory are flushed
 * before put resolves, so an acknowledged write survives a crash. Objects from before trailers keep their
 * metadata in `.att-meta/` sidecars (sidecar.ts), which are still read and deleted with their objects.
 */
import { randomUUID } from 'node:crypto';
import { type FileHandle, lstat, mkdir, open, rename, rmdir, unlink } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import {
  AttError,
  type Backend,
  checkObjectMetadata,
  type GetOptions,
  type GetResult,
  isAttError,
  type ListOptions,
  meter,
  type ObjectInfo,
  type PutOptions,
  resolveRange,
  throwIfAborted,
} from '@att/store-core';
import { FdFile } from './fd-file.js';
import { errnoOf, fsError, isMissing, notFound, orFsError } from './fs-errors.js';
import { keyToPath, META_DIR, TMP_DIR } from './keys.js';
import { walkObjects } from './listing.js';
import { describeFile, describeOpenFile } from './object-file.js';
import { FsResumable } from './resumable.js';
import { dropSidecar, type Sidecar, toObjectInfo } from './sidecar.js';
import { removeStaleTempFiles } from './temp-files.js';
import { encodeTrailer } from './trailer.js';
import { WriteBehind } from './write-behind.js';

export interface FsBackendOptions {
  /** Directory that holds the objects (created on first write, mode 0700). */
  dir: string;
  /** Flush file and directory to disk before a put resolves. Default true. */
  fsync?: boolean;
  /** Chunk size of read streams. Default 256 KiB. */
  readChunkSize?: number;
}

const DEFAULT_READ_CHUNK = 256 * 1024;

async function fsyncDir(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch (err) {
    // Some platforms (Windows) cannot open or sync directories; the file itself was synced already.
    const code = errnoOf(err);
    if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL' && code !== 'EBADF') throw err;
  } finally {
    await handle?.close();
  }
}

async function removeQuietly(file: string): Promise<void> {
  await unlink(file).catch(() => {});
}

export class FsBackend implements Backend {
  readonly root: string;
  /** Whether files and directories are flushed (fsync) before an object is published. */
  readonly fsync: boolean;
  readonly #readChunk: number;
  #ready: Promise<void> | undefined;
  /** Whether `.att-meta/` exists (objects from before trailers); looked up once, since we never create it. */
  #legacySidecars: Promise<boolean> | undefined;
  /** Resumable uploads (tus): appended in `.att-uploads/`, published like a put (resumable.ts). */
  readonly resumable: FsResumable;

  constructor(options: FsBackendOptions) {
    this.root = path.resolve(options.dir);
    this.fsync = options.fsync ?? true;
    this.#readChunk = options.readChunkSize ?? DEFAULT_READ_CHUNK;
    this.resumable = new FsResumable({
      root: this.root,
      fsync: this.fsync,
      publishFile: (key, file, sidecar) => this.#publishFile(key, file, sidecar),
    });
  }

  /** Publishes a finished file from att's folders under `key`, the way put does: trailer appended, then the rename. */
  async #publishFile(key: string, file: string, sidecar: Sidecar): Promise<ObjectInfo> {
    const target = keyToPath(this.root, key);
    await this.#prepare();
    // Append mode: the trailer goes after the data whatever the handle's position.
    const handle = await orFsError('publish an upload', open(file, 'a'));
    let size: number;
    try {
      size = (await handle.stat()).size;
      await orFsError('write object metadata', handle.writeFile(encodeTrailer(sidecar)));
      if (this.fsync) await orFsError('flush an object', handle.sync());
    } finally {
      await handle.close();
    }
    await this.#publish(file, target);
    if (this.fsync) await this.#flushPublished(target);
    return toObjectInfo(key, { size, mtime: new Date() }, sidecar);
  }

  /** Creates the directory and att's folders once. A failure is not cached, so the next call tries again. */
  #prepare(): Promise<void> {
    this.#ready ??= (async () => {
      await mkdir(path.join(this.root, TMP_DIR), { recursive: true, mode: 0o700 });
    })().catch((err) => {
      this.#ready = undefined;
      throw fsError('create the storage directory', err);
    });
    return this.#ready;
  }

  async put(key: string, body: AsyncIterable<Uint8Array>, options: PutOptions = {}): Promise<ObjectInfo> {
    const target = keyToPath(this.root, key);
    checkObjectMetadata(options.metadata);
    throwIfAborted(options.signal, 'upload');
    await this.#prepare();
    const temp = path.join(this.root, TMP_DIR, randomUUID());
    const tempData = `${temp}.data`;
    const meta: Sidecar = { key, metadata: { ...options.metadata } };
    if (options.contentType !== undefined) meta.contentType = options.contentType;
    let handle: FdFile | undefined;
    let published = false;
    try {
      const file = await this.#openTemp(tempData);
      handle = file;
      const metered = meter(body, { signal: options.signal, expectedSize: options.size });
      const writer = new WriteBehind(file);
      let size = 0;
      try {
        // Errors from the body (its own, ABORTED, SIZE_MISMATCH, a Store limit) propagate unchanged.
        for await (const chunk of metered) {
          size += chunk.byteLength;
          let wait: Promise<void> | undefined;
          try {
            wait = writer.push(chunk);
          } catch (err) {
            throw fsError('write an object', err);
          }
          if (wait) await orFsError('write an object', wait);
        }
        // The trailer goes down with the last data, usually in the same writev.
        writer.push(encodeTrailer(meta));
        await orFsError('write an object', writer.drain());
      } finally {
        await writer.settle();
      }
      if (this.fsync) await orFsError('flush an object', file.sync());
      await file.close();
      handle = undefined;
      throwIfAborted(options.signal, 'upload');
      // The rename does not touch the file's mtime, so this is what a later head reports, to the millisecond.
      const written = new Date();
      await this.#publish(tempData, target);
      published = true;
      // A replaced object from before trailers leaves a sidecar naming a dead inode and its key: harmless, never
      // read for a file with a trailer, and not worth an lstat on every put to find.
      if (this.fsync) await this.#flushPublished(target);
      return toObjectInfo(key, { size, mtime: written }, meta);
    } catch (err) {
      if (!published) {
        await handle?.close().catch(() => {});
        await removeQuietly(tempData);
      }
      throw isAttError(err) || published || !errnoOf(err) ? err : fsError('store an object', err);
    }
  }

  /**
   * Makes the rename itself durable. If that fails the put must fail, and a failed put may leave nothing visible,
   * so the just-published object is taken back.
   */
  async #flushPublished(target: string): Promise<void> {
    try {
      await fsyncDir(path.dirname(target));
    } catch (err) {
      await unlink(target).catch(() => {});
      throw fsError('flush a directory', err);
    }
  }

  /** Opens a new temp file; recreates att's folders once if someone removed them while we ran. */
  async #openTemp(file: string): Promise<FdFile> {
    try {
      return await FdFile.open(file, 'wx', 0o600);
    } catch (err) {
      if (errnoOf(err) !== 'ENOENT') throw fsError('create a temp file', err);
      this.#ready = undefined;
      await this.#prepare();
      return orFsError('create a temp file', FdFile.open(file, 'wx', 0o600));
    }
  }

  /** Renames the finished temp file onto its key, creating parent folders (once more if a delete raced us). */
  async #publish(tempData: string, target: string): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        if (path.dirname(target) !== this.root) await mkdir(path.dirname(target), { recursive: true, mode: 0o700 });
        await rename(tempData, target);
        return;
      } catch (err) {
        const code = errnoOf(err);
        if (attempt < 2 && code === 'ENOENT') continue;
        if (code === 'EISDIR' || code === 'ENOTDIR' || code === 'ENOTEMPTY' || code === 'EEXIST') {
          // On disk a key cannot be both an object and a folder of other keys (`a` and `a/b`).
          throw new AttError('INVALID_ID', 'key collides with a folder of other keys (or its parent is an object)', {
            cause: err,
            details: { errno: code },
          });
        }
        throw fsError('publish an object', err);
      }
    }
  }

  async get(key: string, options: GetOptions = {}): Promise<GetResult> {
    const file = keyToPath(this.root, key);
    throwIfAborted(options.signal, 'download');
    let handle: FileHandle;
    try {
      handle = await open(file, 'r');
    } catch (err) {
      throw fsError('open an object', err);
    }
    try {
      const stats = await handle.stat();
      if (!stats.isFile()) throw notFound();
      const { info, dataSize } = await describeOpenFile(this.root, key, handle, stats);
      const range = options.range ? resolveRange(options.range, dataSize) : undefined;
      // Positioned reads (pread) from the open handle: the range never depends on a shared file offset, and the
      // trailer after the data is never part of a body.
      const end = range ? range.end : dataSize - 1;
      if (end < 0) {
        await handle.close();
        return { info, body: Readable.from([]) };
      }
      const body = handle.createReadStream({
        start: range?.start ?? 0,
        end,
        highWaterMark: this.#readChunk,
        autoClose: true,
        ...(options.signal ? { signal: options.signal } : {}),
      });
      return range ? { info, body, range } : { info, body };
    } catch (err) {
      await handle.close().catch(() => {});
      throw isAttError(err) ? err : fsError('read an object', err);
    }
  }

  async head(key: string): Promise<ObjectInfo> {
    const file = keyToPath(this.root, key);
    try {
      return (await describeFile(this.root, key, file)).info;
    } catch (err) {
      throw isAttError(err) ? err : fsError('stat an object', err);
    }
  }

  async delete(keys: string[]): Promise<void> {
    const files = keys.map((key) => [key, keyToPath(this.root, key)] as const);
    for (const [key, file] of files) {
      try {
        const stats = await lstat(file);
        if (!stats.isFile()) continue;
        await unlink(file);
        this.#legacySidecars ??= lstat(path.join(this.root, META_DIR)).then(
          (s) => s.isDirectory(),
          () => false,
        );
        if (await this.#legacySidecars) await dropSidecar(this.root, stats.ino, key);
        await this.#pruneEmptyParents(file);
      } catch (err) {
        if (!isMissing(err)) throw fsError('delete an object', err);
      }
    }
  }

  /** Removes folders a delete left empty, up to (not including) the root. */
  async #pruneEmptyParents(file: string): Promise<void> {
    for (let dir = path.dirname(file); dir !== this.root && dir.startsWith(this.root + path.sep); ) {
      try {
        await rmdir(dir);
      } catch {
        return; // not empty (or already gone): stop climbing
      }
      dir = path.dirname(dir);
    }
  }

  /**
   * Readiness: creates and removes an empty temp file, which proves the directory exists (or could be created)
   * and is writable by this process — a read-only mount or lost permissions fail here, not on the next upload.
   */
  async check(options: { signal?: AbortSignal } = {}): Promise<void> {
    throwIfAborted(options.signal, 'storage check');
    const probe = path.join(this.root, TMP_DIR, `${randomUUID()}.check`);
    try {
      await this.#prepare();
      const file = await this.#openTemp(probe);
      await file.close();
      await orFsError('remove a temp file', unlink(probe));
    } catch (err) {
      // "Not found" is for objects: here it means the directory (or a parent) is a file, or vanished meanwhile.
      if (!isAttError(err, 'NOT_FOUND')) throw err;
      throw new AttError('BACKEND_UNAVAILABLE', 'fs backend: the storage directory is missing or not a directory', {
        cause: err,
        details: err.details,
        retryable: false,
      });
    }
  }

  async *list(options: ListOptions = {}): AsyncIterable<ObjectInfo> {
    const prefix = options.prefix ?? '';
    yield* walkObjects(this.root, prefix, options.signal);
  }

  async cleanupIncomplete(olderThan: Date): Promise<number> {
    return (await removeStaleTempFiles(this.root, olderThan)) + (await this.resumable.cleanup(olderThan));
  }
}

/** Creates a directory backend (synchronously; the directory is created on first write). */
export function fsBackend(options: FsBackendOptions): FsBackend {
  if (!options || typeof options.dir !== 'string' || options.dir.length === 0) {
    throw new AttError('INVALID_CONFIG', 'fsBackend needs { dir: string }');
  }
  return new FsBackend(options);
}
