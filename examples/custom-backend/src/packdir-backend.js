// Step 2 of the guide (packages/store-core/README.md, "Write your own backend").
// A third-party att backend in one file: every object is ONE self-describing file in a flat directory
// (the bytes, then a JSON trailer with key, content type and metadata, then the trailer's length as 4 bytes).
// Copying such a file copies the attachment with everything it knows. File names are hashes of the keys,
// so no key can ever name a path outside the directory.
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AttError, checkObjectMetadata, isAttError, meter, resolveRange, throwIfAborted } from '@att/store-core';

const TEMP_PREFIX = '.tmp-';
const OBJECT_SUFFIX = '.obj';

/** Maps filesystem failures onto att's error codes; a missing file is NOT_FOUND, the rest is the backend's fault. */
function fsError(err, key) {
  if (isAttError(err)) return err;
  if (err?.code === 'ENOENT') return new AttError('NOT_FOUND', 'object not found', { details: { key } });
  if (err?.code === 'ENOSPC') return new AttError('QUOTA_EXCEEDED', 'disk full', { cause: err });
  return new AttError('BACKEND_ERROR', `packdir: ${err?.code ?? 'I/O error'}`, { cause: err });
}

function checkKey(key) {
  if (typeof key !== 'string' || key.length === 0 || key.length > 1024) {
    throw new AttError('INVALID_ID', 'keys must be strings of 1 to 1024 characters');
  }
}

/** Reads the trailer of an open object file: what `head` answers. */
async function readInfo(handle) {
  const { size: fileSize, mtime } = await handle.stat();
  const lengthBytes = Buffer.alloc(4);
  await handle.read(lengthBytes, 0, 4, fileSize - 4);
  const trailerLength = lengthBytes.readUInt32BE(0);
  const trailer = Buffer.alloc(trailerLength);
  await handle.read(trailer, 0, trailerLength, fileSize - 4 - trailerLength);
  const { key, contentType, metadata } = JSON.parse(trailer.toString('utf8'));
  return {
    info: { key, size: fileSize - 4 - trailerLength, lastModified: mtime, contentType, metadata },
  };
}

function encodeTrailer(key, options) {
  const json = Buffer.from(
    JSON.stringify({ key, contentType: options.contentType, metadata: options.metadata ?? {} }),
    'utf8',
  );
  const length = Buffer.alloc(4);
  length.writeUInt32BE(json.length, 0);
  return Buffer.concat([json, length]);
}

/** `fsync` (default true) flushes each object to the disk before it is published: an acknowledged upload survives a crash. */
export function packdirBackend({ dir, fsync = true }) {
  if (typeof dir !== 'string' || dir === '') {
    throw new AttError('INVALID_CONFIG', 'packdirBackend needs a dir', { details: { field: 'dir' } });
  }
  let ready;
  const ensureDir = () => {
    ready ??= mkdir(dir, { recursive: true });
    return ready;
  };
  const fileFor = (key) => join(dir, createHash('sha256').update(key).digest('hex') + OBJECT_SUFFIX);

  async function withFile(key, fn) {
    checkKey(key);
    let handle;
    try {
      handle = await open(fileFor(key), 'r');
      return await fn(handle);
    } catch (err) {
      await handle?.close();
      throw fsError(err, key);
    }
  }

  return {
    /** How this backend was configured (read by the plugin conformance suite's precedence check). */
    fsync,

    async put(key, body, options = {}) {
      checkKey(key);
      checkObjectMetadata(options.metadata); // the shared metadata rules: refuse what S3 would refuse
      throwIfAborted(options.signal, 'put');
      await ensureDir();
      const temp = join(dir, `${TEMP_PREFIX}${randomBytes(12).toString('hex')}`);
      let size = 0;
      // meter() stops on abort (also while the body stalls) and checks the declared size. Each chunk goes to the
      // file as it comes: nothing keeps the caller's buffers, which it may reuse once put resolves.
      const metered = meter(body, { signal: options.signal, expectedSize: options.size });
      async function* withTrailer() {
        for await (const chunk of metered) {
          size += chunk.length;
          yield chunk;
        }
        yield encodeTrailer(key, options);
      }
      try {
        await pipeline(withTrailer(), createWriteStream(temp, { flags: 'wx' }));
        if (fsync) {
          const written = await open(temp, 'r+');
          await written.sync().finally(() => written.close());
        }
        // rename() is atomic: readers see the old object or the new one, never a partial file.
        await rename(temp, fileFor(key));
      } catch (err) {
        await rm(temp, { force: true });
        throw fsError(err, key);
      }
      const { mtime } = await stat(fileFor(key)).catch(() => ({ mtime: new Date() }));
      return { key, size, lastModified: mtime, contentType: options.contentType, metadata: options.metadata ?? {} };
    },

    async head(key) {
      return withFile(key, async (handle) => {
        const { info } = await readInfo(handle);
        await handle.close();
        return info;
      });
    },

    async get(key, options = {}) {
      throwIfAborted(options.signal, 'get');
      return withFile(key, async (handle) => {
        // One open file for trailer and bytes: a concurrent overwrite cannot mix two versions.
        const { info } = await readInfo(handle);
        const range = options.range ? resolveRange(options.range, info.size) : undefined;
        const start = range?.start ?? 0;
        const end = range ? range.end : info.size - 1;
        let body;
        if (end < start) {
          await handle.close();
          body = Readable.from([]);
        } else {
          body = handle.createReadStream({ start, end, autoClose: true, signal: options.signal });
        }
        return range ? { info, body, range } : { info, body };
      });
    },

    async delete(keys) {
      // Every key on its own: a missing one (rm force) neither fails nor stops the others.
      for (const key of keys) checkKey(key);
      await Promise.all(
        keys.map((key) => rm(fileFor(key), { force: true }).catch((err) => Promise.reject(fsError(err, key)))),
      );
    },

    async *list(options = {}) {
      const prefix = options.prefix ?? '';
      let names;
      try {
        names = await readdir(dir);
      } catch (err) {
        if (err?.code === 'ENOENT') return;
        throw fsError(err);
      }
      for (const name of names) {
        throwIfAborted(options.signal, 'list');
        if (!name.endsWith(OBJECT_SUFFIX)) continue;
        let handle;
        try {
          handle = await open(join(dir, name), 'r');
          const { info } = await readInfo(handle);
          if (info.key.startsWith(prefix)) yield info;
        } catch (err) {
          // Deleted since readdir: skip it; a listing survives objects vanishing under it.
          if (err?.code !== 'ENOENT') throw fsError(err);
        } finally {
          await handle?.close();
        }
      }
    },

    async cleanupIncomplete(olderThan) {
      let removed = 0;
      const names = await readdir(dir).catch(() => []);
      for (const name of names) {
        if (!name.startsWith(TEMP_PREFIX)) continue;
        const path = join(dir, name);
        const info = await stat(path).catch(() => undefined);
        if (info && info.mtime < olderThan) {
          await rm(path, { force: true });
          removed++;
        }
      }
      return removed;
    },
  };
}
