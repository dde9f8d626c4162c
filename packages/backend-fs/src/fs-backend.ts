/**
 * A Backend on a local directory.
 *
 * Layout inside `dir`: objects at `<key>` (keys with `/` become sub-directories), uploads in progress in
 * `.att-tmp/`, metadata sidecars in `.att-meta/` (see sidecar.ts). A put streams into a temp file, optionally
 * fsyncs it, writes the sidecar, and only then renames the file onto its key: readers see the old object or the
 * whole new one, never a part. With `fsync` (the default) the file and its directory are flushed before put
 * resolves, so an acknowledged write survives a crash.
 */
import { randomUUID } from 'node:crypto';
import { type FileHandle, lstat, mkdir, open, rename, rmdir, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
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
import { errnoOf, fsError, isMissing, notFound, orFsError } from './fs-errors.js';
import { keyToPath, META_DIR, TMP_DIR } from './keys.js';
import { walkObjects } from './listing.js';
import { FsResumable } from './resumable.js';
import { dropSidecar, readSidecar, type Sidecar, sidecarPath, toObjectInfo, writeSidecar } from './sidecar.js';
import { removeStaleTempFiles } from './temp-files.js';
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

  /** Publishes a finished file from att's folders under `key`, the way put does: sidecar first, then the rename. */
  async #publishFile(key: string, file: string, sidecar: Sidecar): Promise<ObjectInfo> {
    const target = keyToPath(this.root, key);
    await this.#prepare();
    const stats = await orFsError('publish an upload', stat(file));
    await orFsError('write object metadata', writeSidecar(sidecarPath(this.root, stats.ino), sidecar, this.fsync));
    const previous = await lstat(target).catch(() => undefined);
    try {
      await this.#publish(file, target);
    } catch (err) {
      await removeQuietly(sidecarPath(this.root, stats.ino));
      throw err;
    }
    if (previous?.isFile() && previous.ino !== stats.ino)
      await dropSidecar(this.root, previous.ino, key).catch(() => {});
    if (this.fsync) await this.#flushPublished(key, target, stats.ino);
    return toObjectInfo(key, stats, sidecar);
  }

  /** Creates the directory and att's folders once. A failure is not cached, so the next call tries again. */
  #prepare(): Promise<void> {
    this.#ready ??= (async () => {
      await mkdir(path.join(this.root, TMP_DIR), { recursive: true, mode: 0o700 });
      await mkdir(path.join(this.root, META_DIR), { recursive: true, mode: 0o700 });
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
    let handle: FileHandle | undefined;
    let sidecarIno: number | undefined;
    let published = false;
    try {
      const file = await this.#openTemp(tempData);
      handle = file;
      const metered = meter(body, { signal: options.signal, expectedSize: options.size });
      const writer = new WriteBehind(file);
      try {
        // Errors from the body (its own, ABORTED, SIZE_MISMATCH, a Store limit) propagate unchanged.
        for await (const chunk of metered) {
          let wait: Promise<void> | undefined;
          try {
            wait = writer.push(chunk);
          } catch (err) {
            throw fsError('write an object', err);
          }
          if (wait) await orFsError('write an object', wait);
        }
        await orFsError('write an object', writer.drain());
      } finally {
        await writer.settle();
      }
      if (this.fsync) await orFsError('flush an object', file.sync());
      const stats = await file.stat();
      await file.close();
      handle = undefined;
      throwIfAborted(options.signal, 'upload');

      const sidecar: Sidecar = { key, metadata: { ...options.metadata } };
      if (options.contentType !== undefined) sidecar.contentType = options.contentType;
      sidecarIno = stats.ino;
      await orFsError('write object metadata', writeSidecar(sidecarPath(this.root, stats.ino), sidecar, this.fsync));
      const previous = await lstat(target).catch(() => undefined);
      await this.#publish(tempData, target);
      published = true;
      if (previous?.isFile() && previous.ino !== stats.ino) {
        // Best effort: a stale sidecar is harmless (it names a dead inode and carries its key).
        await dropSidecar(this.root, previous.ino, key).catch(() => {});
      }
      if (this.fsync) await this.#flushPublished(key, target, stats.ino);
      return toObjectInfo(key, stats, sidecar);
    } catch (err) {
      if (!published) {
        await handle?.close().catch(() => {});
        await removeQuietly(tempData);
        if (sidecarIno !== undefined) await removeQuietly(sidecarPath(this.root, sidecarIno));
      }
      throw isAttError(err) || published || !errnoOf(err) ? err : fsError('store an object', err);
    }
  }

  /**
   * Makes the rename itself durable. If that fails the put must fail, and a failed put may leave nothing visible,
   * so the just-published object is taken back.
   */
  async #flushPublished(key: string, target: string, ino: number): Promise<void> {
    try {
      await fsyncDir(path.dirname(target));
      await fsyncDir(path.join(this.root, META_DIR));
    } catch (err) {
      await unlink(target).catch(() => {});
      await dropSidecar(this.root, ino, key).catch(() => {});
      throw fsError('flush a directory', err);
    }
  }

  /** Opens a new temp file; recreates att's folders once if someone removed them while we ran. */
  async #openTemp(file: string): Promise<FileHandle> {
    try {
      return await open(file, 'wx', 0o600);
    } catch (err) {
      if (errnoOf(err) !== 'ENOENT') throw fsError('create a temp file', err);
      this.#ready = undefined;
      await this.#prepare();
      return orFsError('create a temp file', open(file, 'wx', 0o600));
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
      const info = toObjectInfo(key, stats, await readSidecar(this.root, stats.ino, key));
      const range = options.range ? resolveRange(options.range, stats.size) : undefined;
      // Positioned reads (pread) from the open handle: the range never depends on a shared file offset.
      const body = handle.createReadStream({
        start: range?.start ?? 0,
        ...(range ? { end: range.end } : {}),
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
      const stats = await stat(file);
      if (!stats.isFile()) throw notFound();
      return toObjectInfo(key, stats, await readSidecar(this.root, stats.ino, key));
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
        await dropSidecar(this.root, stats.ino, key);
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
