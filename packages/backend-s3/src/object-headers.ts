// Headers stored with an object besides its type and metadata: Cache-Control and Content-Disposition (what a CDN
// or a presigned download serves) and a canned ACL. Checked before any request: a value a header cannot carry
// would otherwise surface as a signature mismatch.
import { AttError } from '@att/store-core';
import { metadataHeaders } from './metadata.js';

export const CANNED_ACLS = [
  'private',
  'public-read',
  'public-read-write',
  'authenticated-read',
  'aws-exec-read',
  'bucket-owner-read',
  'bucket-owner-full-control',
] as const;
export type CannedAcl = (typeof CANNED_ACLS)[number];

export interface ObjectHeaderOptions {
  /** `Cache-Control` stored with the object, e.g. `private, max-age=3600`. */
  cacheControl?: string;
  /** `Content-Disposition` stored with the object, e.g. `attachment; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf`. */
  contentDisposition?: string;
  /** Canned ACL (`x-amz-acl`). Buckets with "object ownership: bucket owner enforced" refuse any but none. */
  acl?: CannedAcl;
}

const HEADER_VALUE = /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/;
const DISPOSITION = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+(?:\s*;.*)?$/;

function invalid(field: string, problem: string): AttError {
  return new AttError('INVALID_REQUEST', `${field} ${problem}`, { details: { field } });
}

/** Adds the validated headers to `headers` (per-object options override the client's defaults). */
export function objectHeaders(options: ObjectHeaderOptions, headers: Record<string, string>): void {
  const { cacheControl, contentDisposition, acl } = options;
  if (cacheControl !== undefined) {
    if (typeof cacheControl !== 'string' || !HEADER_VALUE.test(cacheControl) || cacheControl.length > 1024) {
      throw invalid('cacheControl', 'must be printable ASCII, like "private, max-age=3600"');
    }
    headers['cache-control'] = cacheControl;
  }
  if (contentDisposition !== undefined) {
    if (
      typeof contentDisposition !== 'string' ||
      !HEADER_VALUE.test(contentDisposition) ||
      !DISPOSITION.test(contentDisposition) ||
      contentDisposition.length > 4096
    ) {
      throw invalid(
        'contentDisposition',
        'must be printable ASCII like "attachment; filename*=UTF-8\'\'name" (RFC 6266; percent-encode non-ASCII names)',
      );
    }
    headers['content-disposition'] = contentDisposition;
  }
  if (acl !== undefined) {
    if (!(CANNED_ACLS as readonly string[]).includes(acl))
      throw invalid('acl', `must be one of ${CANNED_ACLS.join(', ')}`);
    headers['x-amz-acl'] = acl;
  }
}

/**
 * Every header an object is created with but encryption (the transport adds that): its type (always one: providers
 * disagree on the default), metadata, disposition, and the client's Cache-Control and ACL. For the uploads that
 * create objects outside `putObject` — resumable and direct multipart, presigned PUTs — so they store what a Store
 * write stores.
 */
export function storedObjectHeaders(
  defaults: Pick<ObjectHeaderOptions, 'cacheControl' | 'acl'>,
  object: {
    contentType?: string | undefined;
    metadata?: Record<string, string> | undefined;
    contentDisposition?: string | undefined;
  },
): Record<string, string> {
  const headers: Record<string, string> = { 'content-type': object.contentType || 'application/octet-stream' };
  metadataHeaders(object.metadata, headers);
  objectHeaders(
    {
      ...(defaults.cacheControl === undefined ? {} : { cacheControl: defaults.cacheControl }),
      ...(defaults.acl === undefined ? {} : { acl: defaults.acl }),
      ...(object.contentDisposition === undefined ? {} : { contentDisposition: object.contentDisposition }),
    },
    headers,
  );
  return headers;
}
