/**
 * Where a resumable upload's state lives in the bucket and how it is read and written: the one JSON object per
 * upload that is the commit point of every append (resumable.ts has the case table), and the names of its tail
 * segments. Everything an instance needs to take the next append is in here, so any instance can.
 */
import { createHash } from 'node:crypto';
import { AttError, isAttError, notAnUpload, type ResumableStatus } from '@att/store-core';
import type { ChecksumAlgorithmName } from './checksum-algorithm.js';
import type { S3Client } from './client.js';

/** Where upload state lives, under the client's prefix. Backends skip it in listings. */
export const UPLOADS_PREFIX = '.att-uploads/';

export interface Segment {
  offset: number;
  size: number;
}

/** One uploaded part, as CompleteMultipartUpload needs it. */
export interface UploadedPart {
  etag: string;
  size: number;
  /** Base64 digest of the part in the upload's checksum algorithm; present when the upload declared one. */
  checksum?: string;
}

export interface UploadState {
  key: string;
  /** Names this upload's segments, so those of an upload it replaced never mix in. */
  generation: string;
  length?: number;
  contentType?: string;
  metadata?: Record<string, string>;
  /** Stored with the published object (validated at creation). */
  contentDisposition?: string;
  createdAt: number;
  updatedAt: number;
  partSize: number;
  uploadId?: string;
  /**
   * The checksum the server took when the multipart upload was created: from then on every part and the completion
   * carry it, whichever instance sends them (the client that created the upload decided, not the one appending).
   */
  checksum?: {
    /** The algorithm's config name (`crc32`, `crc32c`, `crc64nvme`). */
    algorithm: ChecksumAlgorithmName;
    fullObject: boolean;
    /** The server echoed the declaration: the completion lists each part's checksum too. */
    confirmed: boolean;
  };
  /**
   * Parts 1..n: `partSize` long when the bytes filled a part, at least 5 MiB when an append ended with that much
   * short of a part (fitsAsPart), any size for the last.
   */
  parts: UploadedPart[];
  tail: Segment[];
  offset: number;
}

function hashOf(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export function stateKey(key: string): string {
  return `${UPLOADS_PREFIX}${hashOf(key)}.json`;
}

/** The folder of every segment of `key`'s uploads (any generation). */
export function segmentFolder(key: string): string {
  return `${UPLOADS_PREFIX}${hashOf(key)}/`;
}

export function segmentKey(state: UploadState, offset: number): string {
  return `${segmentFolder(state.key)}${state.generation}/${String(offset).padStart(16, '0')}`;
}

export function totalSize(items: readonly { size: number }[]): number {
  return items.reduce((total, item) => total + item.size, 0);
}

export function toStatus(state: UploadState): ResumableStatus {
  const status: ResumableStatus = {
    key: state.key,
    offset: state.offset,
    createdAt: new Date(state.createdAt),
    updatedAt: new Date(state.updatedAt),
  };
  if (state.length !== undefined) status.length = state.length;
  if (state.contentType !== undefined) status.contentType = state.contentType;
  if (state.metadata) status.metadata = { ...state.metadata };
  return status;
}

/** The state object at `objectKey` (NOT_FOUND when there is none). */
export async function readStateObject(client: S3Client, objectKey: string, signal?: AbortSignal) {
  const { body } = await client.getObject(objectKey, signal ? { signal } : {});
  const chunks: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Buffer>) chunks.push(chunk);
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as UploadState;
}

/** The state of `key`'s upload; NOT_FOUND (notAnUpload) when there is none. */
export async function readState(client: S3Client, key: string, signal?: AbortSignal): Promise<UploadState> {
  if (typeof key !== 'string' || key.length === 0) throw new AttError('INVALID_ID', 'S3 key must be non-empty');
  let state: UploadState;
  try {
    state = await readStateObject(client, stateKey(key), signal);
  } catch (err) {
    if (isAttError(err, 'NOT_FOUND')) throw notAnUpload();
    throw err;
  }
  if (state.key !== key) throw notAnUpload();
  return state;
}

export async function writeState(client: S3Client, state: UploadState, signal?: AbortSignal): Promise<void> {
  await client.putObject(stateKey(state.key), JSON.stringify(state), {
    contentType: 'application/json',
    ...(signal ? { signal } : {}),
  });
}

/** Reads a tail segment into `target` at `at`; resolves to its length. */
export async function readSegmentInto(
  client: S3Client,
  objectKey: string,
  target: Buffer,
  at: number,
  signal?: AbortSignal,
): Promise<number> {
  const { body } = await client.getObject(objectKey, signal ? { signal } : {});
  let position = at;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    if (position + chunk.length > target.length) {
      body.destroy();
      throw new AttError('BACKEND_ERROR', 'S3 resumable upload: a tail segment is longer than recorded');
    }
    chunk.copy(target, position);
    position += chunk.length;
  }
  return position - at;
}

/** Deletes every segment object of `key`'s uploads (any generation). */
export async function dropSegments(client: S3Client, key: string): Promise<void> {
  const keys: string[] = [];
  for await (const listed of client.listObjects({ prefix: segmentFolder(key) })) {
    keys.push(listed.key);
    if (keys.length === 1000) await client.deleteObjects(keys.splice(0));
  }
  if (keys.length > 0) await client.deleteObjects(keys);
}

/** Removes an upload entirely: its multipart upload, its state and its segments. */
export async function discardUpload(client: S3Client, state: UploadState): Promise<void> {
  if (state.uploadId) await client.abortMultipartUpload(state.key, state.uploadId);
  await client.deleteObjects([stateKey(state.key)]);
  await dropSegments(client, state.key);
}
