/**
 * How an attachment's facts travel through a backend: content type as the object's content type, the rest as
 * metadata, in forms other tools read as they are (`aws s3api head-object`, the SDK's `Metadata`, a bucket
 * browser): dates as ISO-8601, a printable-ASCII filename verbatim. Every backend only ever sees printable ASCII
 * (S3 metadata headers cannot carry UTF-8), so any other filename is percent-encoded UTF-8, which is also how
 * objects written before the readable format stored every filename; `%` never appears in a verbatim name, so one
 * decode reads both. Epoch-millisecond dates of that older format are still read.
 */
import type { ObjectInfo } from '../backend.js';
import { AttError } from '../errors.js';

export interface Attachment {
  id: string;
  size: number;
  contentType: string;
  filename?: string;
  createdAt: Date;
  expiresAt?: Date;
}

export const DEFAULT_CONTENT_TYPE = 'application/octet-stream';

const META_FILENAME = 'att-filename';
const META_CREATED = 'att-created';
const META_EXPIRES = 'att-expires';

/** Printable ASCII, the only thing an HTTP header (and so S3) can carry. */
const HEADER_SAFE = /^[\x20-\x7e]*$/;

export function checkContentType(contentType: string | undefined): string {
  if (contentType === undefined || contentType === '') return DEFAULT_CONTENT_TYPE;
  if (!HEADER_SAFE.test(contentType) || contentType.length > 255) {
    throw new AttError('INVALID_REQUEST', 'content type must be printable ASCII of at most 255 characters');
  }
  return contentType;
}

/** Printable ASCII without `%` and without edge spaces (which headers trim): safe to store verbatim. */
const VERBATIM_NAME = /^(?:[\x21-\x24\x26-\x7e](?:[\x20-\x24\x26-\x7e]*[\x21-\x24\x26-\x7e])?)$/;

export function encodeFilename(filename: string): string {
  // A name shaped like an RFC 2047 encoded word would be re-encoded (or decoded) by S3 layers: encode it.
  return VERBATIM_NAME.test(filename) && !filename.startsWith('=?') ? filename : encodeURIComponent(filename);
}

export function toMetadata(facts: { filename?: string; createdAt: Date; expiresAt?: Date }): Record<string, string> {
  const metadata: Record<string, string> = { [META_CREATED]: facts.createdAt.toISOString() };
  if (facts.filename !== undefined) metadata[META_FILENAME] = encodeFilename(facts.filename);
  if (facts.expiresAt !== undefined) metadata[META_EXPIRES] = facts.expiresAt.toISOString();
  return metadata;
}

function decode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;

/** ISO-8601 (written now) or epoch milliseconds (written before); anything else is no date. */
function dateFrom(value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  if (/^\d{1,16}$/.test(value)) return new Date(Number(value));
  if (!ISO_DATE.test(value)) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** When the object expires according to its metadata, or the store-wide expiry applied to its age. */
export function expiryOf(info: ObjectInfo, expiryMs: number | undefined): Date | undefined {
  const fromMeta = dateFrom(info.metadata?.[META_EXPIRES]);
  if (fromMeta) return fromMeta;
  if (expiryMs === undefined) return undefined;
  const created = dateFrom(info.metadata?.[META_CREATED]) ?? info.lastModified;
  return new Date(created.getTime() + expiryMs);
}

/** Whether `expiresAt` differs from the store-wide expiry counted from `createdAt` (by more than a second). */
export function isOwnExpiry(expiresAt: Date, createdAt: Date, expiryMs: number | undefined): boolean {
  return expiryMs === undefined || Math.abs(expiresAt.getTime() - createdAt.getTime() - expiryMs) > 1000;
}

/** Whether the object was written with its own `expiresAt` rather than the store-wide expiry from its creation. */
export function hasOwnExpiry(info: ObjectInfo, expiryMs: number | undefined): boolean {
  const expires = dateFrom(info.metadata?.[META_EXPIRES]);
  if (!expires) return false;
  const created = dateFrom(info.metadata?.[META_CREATED]);
  // Written as created + expiry to the millisecond; a second of slack for dates stored in seconds.
  return !created || isOwnExpiry(expires, created, expiryMs);
}

export function toAttachment(id: string, info: ObjectInfo, expiryMs: number | undefined): Attachment {
  const attachment: Attachment = {
    id,
    size: info.size,
    contentType: info.contentType || DEFAULT_CONTENT_TYPE,
    createdAt: dateFrom(info.metadata?.[META_CREATED]) ?? info.lastModified,
  };
  const filename = info.metadata?.[META_FILENAME];
  if (filename !== undefined) attachment.filename = decode(filename);
  const expiresAt = expiryOf(info, expiryMs);
  if (expiresAt) attachment.expiresAt = expiresAt;
  return attachment;
}
