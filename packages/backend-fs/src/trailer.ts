/**
 * Object metadata kept inside the data file, after the object's bytes: `<bytes><JSON><footer>`, the footer being
 * a magic string and the JSON's length. The one rename that publishes the file publishes its metadata with it, so
 * bytes and metadata can never be paired wrongly, and a put costs open, write, close and rename — no second file
 * (a sidecar cost three more file-system calls per put, and two more per read). Node has no xattr API, so
 * extended attributes, the other place for it, would need a native addon.
 *
 * The object's size is the file's size less the trailer. Files without a footer are objects written before the
 * trailer existed; their metadata is in a sidecar (sidecar.ts), still read. The JSON names the key it was written
 * for: a legacy object whose own bytes happen to end like a trailer is only mistaken for one if those bytes also
 * name its key, which a client cannot know before the server picks it.
 */
import type { ReadableFile } from './fd-file.js';

export interface ObjectMeta {
  /** The key the file was written for. */
  key: string;
  contentType?: string;
  metadata: Record<string, string>;
}

const MAGIC = Buffer.from('\0att-meta-v1\0', 'latin1');
/** Magic, then the JSON's length as 4 bytes little-endian. */
const FOOTER_BYTES = MAGIC.length + 4;
/** One read from the end finds footer and JSON together in all but pathological cases (metadata is ≤ 2 KiB). */
const TAIL_READ_BYTES = 4096;
/** Larger JSON is not ours (metadata is bounded far below this): the file has no trailer. */
const MAX_JSON_BYTES = 64 * 1024;

/** The bytes appended after an object's data. */
export function encodeTrailer(meta: ObjectMeta): Buffer {
  const json = Buffer.from(JSON.stringify(meta), 'utf8');
  const footer = Buffer.alloc(FOOTER_BYTES);
  MAGIC.copy(footer);
  footer.writeUInt32LE(json.length, MAGIC.length);
  return Buffer.concat([json, footer]);
}

export interface Trailer {
  meta: ObjectMeta;
  /** Bytes of object data before the trailer. */
  dataSize: number;
}

/**
 * Reads the trailer of an open file of `fileSize` bytes written for `key`; undefined when the file has none
 * (a legacy object) or one written for another key.
 */
export async function readTrailer(handle: ReadableFile, fileSize: number, key: string): Promise<Trailer | undefined> {
  if (fileSize < FOOTER_BYTES + 2) return undefined;
  const tailSize = Math.min(fileSize, TAIL_READ_BYTES);
  const tail = Buffer.allocUnsafe(tailSize);
  await readFully(handle, tail, fileSize - tailSize);
  const footer = tail.subarray(tailSize - FOOTER_BYTES);
  if (!footer.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
  const jsonBytes = footer.readUInt32LE(MAGIC.length);
  if (jsonBytes > MAX_JSON_BYTES || jsonBytes + FOOTER_BYTES > fileSize) return undefined;
  let json: Buffer;
  if (jsonBytes + FOOTER_BYTES <= tailSize) {
    json = tail.subarray(tailSize - FOOTER_BYTES - jsonBytes, tailSize - FOOTER_BYTES);
  } else {
    json = Buffer.allocUnsafe(jsonBytes);
    await readFully(handle, json, fileSize - FOOTER_BYTES - jsonBytes);
  }
  let meta: ObjectMeta;
  try {
    meta = JSON.parse(json.toString('utf8')) as ObjectMeta;
  } catch {
    return undefined;
  }
  if (meta === null || typeof meta !== 'object' || meta.key !== key) return undefined;
  return { meta: { ...meta, metadata: { ...meta.metadata } }, dataSize: fileSize - FOOTER_BYTES - jsonBytes };
}

async function readFully(handle: ReadableFile, into: Buffer, position: number): Promise<void> {
  let done = 0;
  while (done < into.length) {
    const { bytesRead } = await handle.read(into, done, into.length - done, position + done);
    if (bytesRead === 0) throw Object.assign(new Error('file shrank while its trailer was read'), { code: 'EIO' });
    done += bytesRead;
  }
}
