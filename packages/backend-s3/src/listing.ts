import { AttError } from '@att/store-core';
import type { S3Transport } from './transport.js';
import { bool, date, int, list, parseXml, parseXmlPage, rootElement, text } from './xml.js';

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

interface ObjectPage {
  objects: ListedObject[];
  /** The next continuation token; undefined on the last page. */
  next: string | undefined;
  /** Set when the page claims more but gives no usable token: thrown after its objects are handed out. */
  error?: AttError;
}

/**
 * Listings ask for `encoding-type=url`: XML 1.0 cannot carry most control characters, and one such key under the
 * prefix made Swift answer 500 to every listing. Keys come back percent-encoded (AWS writes a space as `+` and a
 * `+` as `%2B`, like a form), and only when the page says `<EncodingType>url</EncodingType>`: a server that ignores
 * the parameter sends plain keys, which must not be decoded.
 */
function keyDecoder(root: Record<string, unknown>, operation: string): (key: string) => string {
  if (text(root, 'EncodingType')?.trim().toLowerCase() !== 'url') return (key) => key;
  return (key) => {
    try {
      return decodeURIComponent(key.replace(/\+/g, ' '));
    } catch {
      throw missing(operation, `a validly url-encoded key (got ${JSON.stringify(key.slice(0, 100))})`);
    }
  };
}

function missing(operation: string, what: string): AttError {
  return new AttError('BACKEND_ERROR', `S3 ${operation}: the server sent malformed XML (no ${what})`, {
    details: { operation },
  });
}

/** One ListObjectsV2 page, parsed straight into the objects handed out (no intermediate copies). */
async function fetchObjectPage(
  transport: S3Transport,
  scope: ListScope,
  query: Record<string, string>,
  token: string | undefined,
  signal: AbortSignal | undefined,
): Promise<ObjectPage> {
  const operation = 'ListObjectsV2';
  const response = await transport.send({ operation, method: 'GET', query, signal, readText: true }, undefined);
  const root = rootElement(parseXmlPage(response.text, operation, ['ListBucketResult']), 'ListBucketResult', operation);
  const truncated = text(root, 'IsTruncated');
  // A page that got through the structural check but lacks IsTruncated is not a listing we can trust to go on.
  if (truncated === undefined) throw missing(operation, 'IsTruncated');
  const objects: ListedObject[] = [];
  const { root: rootPrefix } = scope;
  const decode = keyDecoder(root, operation);
  for (const item of list(root, 'Contents')) {
    const raw = text(item, 'Key');
    const key = raw === undefined ? undefined : decode(raw);
    // A key outside our prefix can only come from a misbehaving server; never hand it out.
    if (key === undefined || !key.startsWith(rootPrefix) || key.length === rootPrefix.length) continue;
    const object: ListedObject = {
      key: key.slice(rootPrefix.length),
      size: int(item, 'Size') ?? 0,
      lastModified: date(item, 'LastModified') ?? new Date(Number.NaN),
    };
    const etag = text(item, 'ETag');
    if (etag) object.etag = etag;
    objects.push(object);
  }
  if (truncated.trim().toLowerCase() !== 'true') return { objects, next: undefined };
  const next = text(root, 'NextContinuationToken');
  if (!next || next === token) return { objects, next: undefined, error: stuck(operation) };
  return { objects, next };
}

/**
 * ListObjectsV2, page by page (1000 keys each), yielding as it goes. The next page is requested while the
 * consumer handles the current one (one page ahead, never more), so the server's time and ours overlap; a
 * consumer that stops early cancels that request. Only `IsTruncated` decides whether to go on (some providers
 * echo a continuation token on the last page); a truncated page without a new token is an error rather than an
 * endless loop.
 */
export async function* listObjects(
  transport: S3Transport,
  scope: ListScope,
  prefix: string,
  startAfter: string | undefined,
): AsyncGenerator<ListedObject> {
  const cancel = new AbortController();
  const signal = scope.signal ? AbortSignal.any([scope.signal, cancel.signal]) : cancel.signal;
  const fetchPage = (token: string | undefined) => {
    const query: Record<string, string> = { 'list-type': '2', prefix: scope.root + prefix, 'encoding-type': 'url' };
    if (scope.pageSize !== undefined) query['max-keys'] = String(scope.pageSize);
    if (token !== undefined) query['continuation-token'] = token;
    else if (startAfter !== undefined) query['start-after'] = scope.root + startAfter;
    const page = fetchObjectPage(transport, scope, query, token, signal);
    page.catch(() => {}); // awaited below; this only keeps an abandoned prefetch from being "unhandled"
    return page;
  };
  let pending: Promise<ObjectPage> | undefined = fetchPage(undefined);
  try {
    while (pending) {
      const page: ObjectPage = await pending;
      pending = page.next === undefined ? undefined : fetchPage(page.next);
      yield* page.objects;
      if (page.error) throw page.error;
    }
  } finally {
    // Stopped early (break, error, return): the prefetched page is not wanted.
    if (pending) cancel.abort();
  }
}

/** ListMultipartUploads under the prefix, page by page, with the same stuck-marker guard. */
export async function* listUploads(transport: S3Transport, scope: ListScope, prefix: string) {
  const operation = 'ListMultipartUploads';
  let keyMarker: string | undefined;
  let uploadIdMarker: string | undefined;
  for (;;) {
    const query: Record<string, string> = { uploads: '', prefix: scope.root + prefix, 'encoding-type': 'url' };
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
    const decode = keyDecoder(root, operation);
    let lastKey: string | undefined;
    let lastId: string | undefined;
    for (const item of list(root, 'Upload')) {
      const raw = text(item, 'Key');
      const key = raw === undefined ? undefined : decode(raw);
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
    const rawMarker = text(root, 'NextKeyMarker');
    const nextKeyMarker = rawMarker ? decode(rawMarker) : rawMarker;
    const nextKey = nextKeyMarker || lastKey;
    const nextId = nextKeyMarker ? text(root, 'NextUploadIdMarker') : lastId;
    if (!nextKey || (nextKey === keyMarker && nextId === uploadIdMarker)) throw stuck(operation);
    keyMarker = nextKey;
    uploadIdMarker = nextId || undefined;
  }
}
