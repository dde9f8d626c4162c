import { AttError } from '@att/store-core';
import type { S3Transport } from './transport.js';
import { bool, date, int, list, parseXml, rootElement, text } from './xml.js';

/** One object from a listing; `key` is relative to the client's prefix. */
export interface ListedObject {
  key: string;
  size: number;
  lastModified: Date;
  etag?: string;
}

/** One pending multipart upload; `key` is relative to the client's prefix. */
export interface PendingUpload {
  key: string;
  uploadId: string;
  /** When the upload started; undefined if the server sent none or an unparseable one. */
  initiated: Date | undefined;
}

export interface ListScope {
  /** The configured prefix plus `/` ('' without one): stripped from every returned key. */
  root: string;
  /** Entries per page (max-keys / max-uploads); the server default (1000) when undefined. */
  pageSize?: number | undefined;
  signal?: AbortSignal | undefined;
}

function stuck(operation: string): AttError {
  return new AttError(
    'BACKEND_ERROR',
    `S3 ${operation}: the server says the listing is truncated but gave no new marker`,
    {
      details: { operation },
    },
  );
}

/**
 * ListObjectsV2, page by page (1000 keys each), yielding as it goes — nothing accumulates. Only `IsTruncated`
 * decides whether to go on (some providers echo a continuation token on the last page); a truncated page
 * without a new token is an error rather than an endless loop.
 */
export async function* listObjects(
  transport: S3Transport,
  scope: ListScope,
  prefix: string,
  startAfter: string | undefined,
): AsyncGenerator<ListedObject> {
  const operation = 'ListObjectsV2';
  let token: string | undefined;
  for (;;) {
    const query: Record<string, string> = { 'list-type': '2', prefix: scope.root + prefix };
    if (scope.pageSize !== undefined) query['max-keys'] = String(scope.pageSize);
    if (token !== undefined) query['continuation-token'] = token;
    else if (startAfter !== undefined) query['start-after'] = scope.root + startAfter;
    const response = await transport.send(
      { operation, method: 'GET', query, signal: scope.signal, readText: true },
      undefined,
    );
    const root = rootElement(parseXml(response.text, operation), 'ListBucketResult', operation);
    for (const item of list(root, 'Contents')) {
      const key = text(item, 'Key');
      // A key outside our prefix can only come from a misbehaving server; never hand it out.
      if (key === undefined || !key.startsWith(scope.root) || key.length === scope.root.length) continue;
      const object: ListedObject = {
        key: key.slice(scope.root.length),
        size: int(item, 'Size') ?? 0,
        lastModified: date(item, 'LastModified') ?? new Date(Number.NaN),
      };
      const etag = text(item, 'ETag');
      if (etag) object.etag = etag;
      yield object;
    }
    if (!bool(root, 'IsTruncated')) return;
    const next = text(root, 'NextContinuationToken');
    if (!next || next === token) throw stuck(operation);
    token = next;
  }
}

/** ListMultipartUploads under the prefix, page by page, with the same stuck-marker guard. */
export async function* listUploads(transport: S3Transport, scope: ListScope, prefix: string) {
  const operation = 'ListMultipartUploads';
  let keyMarker: string | undefined;
  let uploadIdMarker: string | undefined;
  for (;;) {
    const query: Record<string, string> = { uploads: '', prefix: scope.root + prefix };
    if (scope.pageSize !== undefined) query['max-uploads'] = String(scope.pageSize);
    if (keyMarker !== undefined) query['key-marker'] = keyMarker;
    if (uploadIdMarker !== undefined) query['upload-id-marker'] = uploadIdMarker;
    const response = await transport.send(
      { operation, method: 'GET', query, signal: scope.signal, readText: true },
      undefined,
    );
    const doc = parseXml(response.text, operation);
    // Some emulators (fauxqs) ignore the `uploads` subresource and answer a bucket listing: such a server has no
    // listable pending uploads, so there is nothing to report (rather than failing every cleanup run).
    if (doc.ListMultipartUploadsResult === undefined && doc.ListBucketResult !== undefined) return;
    const root = rootElement(doc, 'ListMultipartUploadsResult', operation);
    let lastKey: string | undefined;
    let lastId: string | undefined;
    for (const item of list(root, 'Upload')) {
      const key = text(item, 'Key');
      const uploadId = text(item, 'UploadId');
      if (key === undefined || !uploadId) continue;
      lastKey = key;
      lastId = uploadId;
      if (!key.startsWith(scope.root)) continue;
      const upload: PendingUpload = { key: key.slice(scope.root.length), uploadId, initiated: date(item, 'Initiated') };
      yield upload;
    }
    if (!bool(root, 'IsTruncated')) return;
    // Swift leaves NextKeyMarker empty on truncated pages; the last upload listed is the same marker.
    const nextKey = text(root, 'NextKeyMarker') || lastKey;
    const nextId = text(root, 'NextKeyMarker') ? text(root, 'NextUploadIdMarker') : lastId;
    if (!nextKey || (nextKey === keyMarker && nextId === uploadIdMarker)) throw stuck(operation);
    keyMarker = nextKey;
    uploadIdMarker = nextId || undefined;
  }
}
