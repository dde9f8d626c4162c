/**
 * The tus 1.0 vocabulary: version and extension headers, Upload-Metadata parsing and numeric headers, in one place
 * so every verb answers the same way. Statuses come from the AttError codes (CONFLICT 409, CHECKSUM_MISMATCH 460).
 */
import { AttError } from '@att/store-core';
import type { Response } from 'express';

export const TUS_VERSION = '1.0.0';
export const TUS_EXTENSIONS = [
  'creation',
  'creation-with-upload',
  'creation-defer-length',
  'termination',
  'expiration',
  'checksum',
].join(',');
export const CHECKSUM_ALGORITHMS = 'sha1';
export const OFFSET_CONTENT_TYPE = 'application/offset+octet-stream';
/** On a creation's 201 with `ownerDelete`: the `deleteToken` of the attachment the upload becomes. */
export const DELETE_TOKEN_HEADER = 'Att-Delete-Token';

/** Headers a browser on another origin must be allowed to read (tus clients read all of them). */
export const EXPOSED_HEADERS = [
  'Location',
  'Tus-Resumable',
  'Tus-Version',
  'Tus-Extension',
  'Tus-Max-Size',
  'Tus-Checksum-Algorithm',
  'Upload-Offset',
  'Upload-Length',
  'Upload-Defer-Length',
  'Upload-Metadata',
  'Upload-Expires',
  DELETE_TOKEN_HEADER,
].join(', ');

/** Headers every tus answer carries, refusals included. */
export function setTusHeaders(res: Response): void {
  res.setHeader('Tus-Resumable', TUS_VERSION);
  res.setHeader('Access-Control-Expose-Headers', EXPOSED_HEADERS);
}

/**
 * A non-negative integer header (Upload-Length, Upload-Offset): digits only, no sign, no spaces, at most
 * MAX_SAFE_INTEGER. Absent → undefined. Anything else is INVALID_REQUEST naming the header.
 */
export function integerHeader(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{1,16}$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw new AttError('INVALID_REQUEST', `${name} must be a non-negative integer`);
  }
  return Number(value);
}

const METADATA_KEY = /^[\x21-\x2b\x2d-\x7e]+$/; // printable ASCII without space and comma
const MAX_METADATA_BYTES = 4096;

/**
 * Upload-Metadata: `key base64,key2 base64,key3`. Keys are unique ASCII without spaces or commas; values base64
 * (standard alphabet, padding optional). Invalid → INVALID_REQUEST.
 */
export function parseMetadata(header: string | undefined): Map<string, string> {
  const pairs = new Map<string, string>();
  if (header === undefined || header.trim() === '') return pairs;
  if (header.length > MAX_METADATA_BYTES) {
    throw new AttError('INVALID_REQUEST', `Upload-Metadata is longer than ${MAX_METADATA_BYTES} bytes`);
  }
  for (const item of header.split(',')) {
    const [key, value, extra] = item.trim().split(' ');
    if (!key || !METADATA_KEY.test(key) || extra !== undefined || pairs.has(key)) {
      throw new AttError('INVALID_REQUEST', 'Upload-Metadata must be comma-separated "key base64value" pairs');
    }
    if (value !== undefined && !/^[A-Za-z0-9+/]*={0,2}$/.test(value)) {
      throw new AttError('INVALID_REQUEST', `Upload-Metadata value of "${key}" is not base64`);
    }
    pairs.set(key, value === undefined ? '' : Buffer.from(value, 'base64').toString('utf8'));
  }
  return pairs;
}

/** RFC 9110 IMF-fixdate, the format tus prescribes for Upload-Expires. */
export function httpDate(date: Date): string {
  return date.toUTCString();
}
