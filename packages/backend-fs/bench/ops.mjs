// The operations the benchmark compares: att Store + fs backend against a raw stream.pipeline, for write and read.
import { createReadStream, createWriteStream } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fsBackend } from '@att/backend-fs';
import { createStore } from '@att/store-core';

const ID = 'bench-object';

/** A sink that drops bytes, so reads measure the source side only. */
function sink() {
  return new Writable({
    write(_chunk, _encoding, callback) {
      callback();
    },
    writev(_chunks, callback) {
      callback();
    },
  });
}

/** Paths and Store for one flavour (fsync on or off) under `root`. */
export function setup(root, fsync) {
  const flavour = fsync ? 'fsync' : 'nofsync';
  const rawFile = path.join(root, `raw-${flavour}.bin`);
  const store = createStore({ backend: fsBackend({ dir: path.join(root, `store-${flavour}`), fsync }) });
  return {
    rawFile,
    store,
    storedFile: path.join(root, `store-${flavour}`, ID),
    async rawWrite(source) {
      await pipeline(createReadStream(source), createWriteStream(rawFile));
      if (fsync) {
        // What a careful hand-rolled upload does to survive a crash: flush the file, then its directory.
        const file = await open(rawFile, 'r+');
        await file.sync();
        await file.close();
        const dir = await open(root, 'r');
        await dir.sync();
        await dir.close();
      }
    },
    async storeWrite(source) {
      await store.write(ID, createReadStream(source), { contentType: 'application/octet-stream' });
    },
    async rawRead() {
      await pipeline(createReadStream(rawFile), sink());
    },
    async storeRead() {
      const { body } = await store.read(ID);
      await pipeline(body, sink());
    },
    async removeRaw() {
      await rm(rawFile, { force: true });
    },
    async removeStored() {
      await store.remove(ID);
    },
    async cleanup() {
      await rm(rawFile, { force: true });
      await store.remove(ID);
    },
  };
}
