/**
 * Resumable uploads on disk. Each upload is two files in `.att-uploads/`, named by the sha256 of its key (keys may
 * hold `/`): `<hash>.data`, the bytes received so far, and `<hash>.json`, what `create` was told (key, length,
 * content type, metadata). The offset is the data file's size and the idle time its mtime, so an append never
 * rewrites the JSON (only a deferred length does). With `fsync` each append flushes the data file before it
 * resolves: an acknowledged offset survives a crash. `complete` publishes the data file with the backend's own
 * sidecar-then-rename, so the object appears whole in one rename.
 *
 * Cases, and why each is safe:
 * | event                                   | outcome                                                           |
 * | body fails midway (no verify)           | bytes written so far are flushed and kept; offset = file size     |
 * | verify rejects, or body fails (verify)  | file truncated back to the offset the append started at           |
 * | crash during an append                  | unacknowledged bytes may or may not count; HEAD tells the client  |
 * | abort racing an append                  | the append writes to an unlinked file; nothing remains            |
 * | crash between rename and JSON removal   | status() finds no data file: NOT_FOUND; cleanup drops the JSON     |
 */
import { createHash } from 'node:crypto';
import { type FileHandle, mkdir, open, opendir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  type AppendOptions,
  boundedBody,
  checkAppend,
  checkCreateLength,
  checkObjectMetadata,
  incomplete,
  isAttError,
  notAnUpload,
  type ObjectInfo,
  type Resumable,
  type ResumableCreateOptions,
  type ResumableStatus,
  throwIfAborted,
} from '@att/store-core';
import { fsError, isMissing, orFsError } from './fs-errors.js';
import { keySegments } from './keys.js';
import type { Sidecar } from './sidecar.js';
import { WriteBehind } from './write-behind.js';

/** Folder of pending uploads inside the backend's directory (`.att-` names are never keys, so never listed). */
export const UPLOADS_DIR = '.att-uploads';

interface UploadFacts {
  key: string;
  length?: number;
  contentType?: string;
  metadata?: Record<string, string>;
  createdAt: number;
}

/** What the resumable uploads need from their FsBackend. */
export interface FsUploadHost {
  readonly root: string;
  readonly fsync: boolean;
  /** Publishes a finished file under `key` as put does: sidecar first, then one rename. */
  publishFile(key: string, file: string, sidecar: Sidecar): Promise<ObjectInfo>;
}

function toStatus(facts: UploadFacts, stats: { size: number; mtime: Date }): ResumableStatus {
  const status: ResumableStatus = {
    key: facts.key,
    offset: stats.size,
    createdAt: new Date(facts.createdAt),
    updatedAt: stats.mtime,
  };
  if (facts.length !== undefined) status.length = facts.length;
  if (facts.contentType !== undefined) status.contentType = facts.contentType;
  if (facts.metadata) status.metadata = { ...facts.metadata };
  return status;
}

export class FsResumable implements Resumable {
  readonly #host: FsUploadHost;
  readonly #dir: string;

  constructor(host: FsUploadHost) {
    this.#host = host;
    this.#dir = path.join(host.root, UPLOADS_DIR);
  }

  #files(key: string): { data: string; facts: string } {
    keySegments(key);
    const name = createHash('sha256').update(key).digest('hex');
    return { data: path.join(this.#dir, `${name}.data`), facts: path.join(this.#dir, `${name}.json`) };
  }

  async #writeFacts(file: string, facts: UploadFacts): Promise<void> {
    // Replaced by rename, so a reader sees the old facts or the new ones, never half of either.
    const temp = `${file}.${process.pid}.tmp`;
    await writeFile(temp, JSON.stringify(facts), { mode: 0o600, flush: this.#host.fsync });
    await rename(temp, file);
  }

  async #readFacts(file: string, key: string): Promise<UploadFacts> {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      if (isMissing(err)) throw notAnUpload();
      throw fsError('read an upload', err);
    }
    const facts = JSON.parse(text) as UploadFacts;
    if (facts.key !== key) throw notAnUpload();
    return facts;
  }

  async #load(
    key: string,
  ): Promise<{ files: { data: string; facts: string }; facts: UploadFacts; size: number; mtime: Date }> {
    const files = this.#files(key);
    const facts = await this.#readFacts(files.facts, key);
    try {
      const { size, mtime } = await stat(files.data);
      return { files, facts, size, mtime };
    } catch (err) {
      if (isMissing(err)) throw notAnUpload();
      throw fsError('read an upload', err);
    }
  }

  async create(key: string, options: ResumableCreateOptions = {}): Promise<ResumableStatus> {
    const files = this.#files(key);
    checkCreateLength(options.length);
    checkObjectMetadata(options.metadata);
    throwIfAborted(options.signal, 'upload');
    await orFsError('create the uploads directory', mkdir(this.#dir, { recursive: true, mode: 0o700 }));
    const facts: UploadFacts = { key, createdAt: Date.now() };
    if (options.length !== undefined) facts.length = options.length;
    if (options.contentType !== undefined) facts.contentType = options.contentType;
    if (options.metadata) facts.metadata = { ...options.metadata };
    // The data file first, emptied: bytes of an upload this one replaces can never count for it.
    await orFsError(
      'create an upload',
      writeFile(files.data, new Uint8Array(0), { mode: 0o600, flush: this.#host.fsync }),
    );
    await orFsError('create an upload', this.#writeFacts(files.facts, facts));
    const { size, mtime } = await stat(files.data);
    return toStatus(facts, { size, mtime });
  }

  async append(
    key: string,
    offset: number,
    body: AsyncIterable<Uint8Array>,
    options: AppendOptions = {},
  ): Promise<ResumableStatus> {
    const { files, facts, size, mtime } = await this.#load(key);
    const { length, maxBytes } = checkAppend(toStatus(facts, { size, mtime }), offset, options);
    let handle: FileHandle;
    try {
      // O_APPEND: every write lands at the end, whatever the handle's position.
      handle = await open(files.data, 'a');
    } catch (err) {
      throw isMissing(err) ? notAnUpload() : fsError('open an upload', err);
    }
    let failure: unknown;
    try {
      const writer = new WriteBehind(handle);
      try {
        for await (const chunk of boundedBody(body, maxBytes, options.signal)) {
          const wait = writer.push(chunk);
          if (wait) await orFsError('write an upload', wait);
        }
        await orFsError('write an upload', writer.drain());
      } catch (err) {
        failure = err;
        // The body failed, not the disk: what it yielded is still queued and belongs to the upload.
        if (!options.verify && !isAttError(err, 'BACKEND_ERROR')) await writer.drain().catch(() => {});
      } finally {
        await writer.settle();
      }
      if (failure === undefined && options.verify) {
        try {
          await options.verify();
        } catch (err) {
          failure = err;
        }
      }
      // With verify the append is all or nothing; without, what arrived before a failure stays.
      if (failure !== undefined && options.verify) await orFsError('discard an append', handle.truncate(offset));
      if (this.#host.fsync) await orFsError('flush an upload', handle.sync());
      if (failure === undefined && length !== facts.length && length !== undefined) {
        await orFsError('declare an upload length', this.#writeFacts(files.facts, { ...facts, length }));
        facts.length = length;
      }
      const stats = await handle.stat();
      if (failure !== undefined) throw failure;
      return toStatus(facts, stats);
    } finally {
      await handle.close().catch(() => {});
    }
  }

  async status(key: string): Promise<ResumableStatus> {
    const { facts, size, mtime } = await this.#load(key);
    return toStatus(facts, { size, mtime });
  }

  async complete(key: string): Promise<ObjectInfo> {
    const { files, facts, size, mtime } = await this.#load(key);
    const status = toStatus(facts, { size, mtime });
    if (status.length === undefined || status.offset !== status.length) throw incomplete(status);
    const sidecar: Sidecar = { key, metadata: { ...facts.metadata } };
    if (facts.contentType !== undefined) sidecar.contentType = facts.contentType;
    const info = await this.#host.publishFile(key, files.data, sidecar);
    await unlink(files.facts).catch(() => {});
    return info;
  }

  async abort(key: string): Promise<void> {
    const files = this.#files(key);
    for (const file of [files.data, files.facts]) {
      try {
        await unlink(file);
      } catch (err) {
        if (!isMissing(err)) throw fsError('remove an upload', err);
      }
    }
  }

  /** Removes uploads whose data file was last written before `olderThan` (and facts whose data file is gone). */
  async cleanup(olderThan: Date): Promise<number> {
    let entries: AsyncIterable<import('node:fs').Dirent>;
    try {
      entries = await opendir(this.#dir, { bufferSize: 128 });
    } catch (err) {
      if (isMissing(err)) return 0;
      throw fsError('list uploads', err);
    }
    let removed = 0;
    for await (const entry of entries) {
      if (!entry.name.endsWith('.json')) continue;
      const factsFile = path.join(this.#dir, entry.name);
      const dataFile = factsFile.replace(/\.json$/, '.data');
      try {
        const data = await stat(dataFile).catch((err) => (isMissing(err) ? undefined : Promise.reject(err)));
        if (data && data.mtime >= olderThan) continue;
        if (!data && (await stat(factsFile)).mtime >= olderThan) continue;
        await unlink(dataFile).catch((err) => (isMissing(err) ? undefined : Promise.reject(err)));
        await unlink(factsFile);
        if (data) removed++;
      } catch (err) {
        if (!isMissing(err)) throw isAttError(err) ? err : fsError('remove a stale upload', err);
      }
    }
    return removed;
  }
}
