/**
 * ListParts, page by page: what a direct multipart upload has received so far, so a client that lost its state
 * (a reloaded page) can resume without sending parts again. Parts are few (≤ 10 000, 1000 a page), so they are
 * collected into one array rather than streamed.
 */
import { AttError, type UploadedPart } from '@att/store-core';
import type { S3Transport } from './transport.js';
import type { UploadTarget } from './upload-target.js';
import { int, list, parseXml, rootElement, text } from './xml.js';

/** 10 000 parts at 1000 a page: more pages than that is a server that never says it is done. */
const MAX_PAGES = 11;

export async function listParts(
  transport: S3Transport,
  target: UploadTarget,
  uploadId: string,
  signal?: AbortSignal,
): Promise<UploadedPart[]> {
  const operation = 'ListParts';
  const parts: UploadedPart[] = [];
  let marker: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const query: Record<string, string> = { uploadId };
    if (marker !== undefined) query['part-number-marker'] = marker;
    const response = await transport.send(
      { operation, key: target.key, method: 'GET', query, signal, readText: true },
      target.encodedKey,
    );
    const root = rootElement(parseXml(response.text, operation), 'ListPartsResult', operation);
    for (const item of list(root, 'Part')) {
      const partNumber = int(item, 'PartNumber');
      const etag = text(item, 'ETag');
      if (partNumber === undefined || etag === undefined) continue;
      parts.push({ partNumber, size: int(item, 'Size') ?? 0, etag });
    }
    if (text(root, 'IsTruncated')?.trim().toLowerCase() !== 'true') return parts;
    const next = text(root, 'NextPartNumberMarker');
    if (!next || next === marker) break;
    marker = next;
  }
  throw new AttError('BACKEND_ERROR', `S3 ${operation}: the listing never ended`, { details: { operation } });
}
