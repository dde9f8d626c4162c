/**
 * How an attachment's facts travel through a backend: content type as the object's content type, the rest as
 * metadata. Values are percent-encoded here, so every backend only ever sees printable ASCII (S3 metadata headers
 * cannot carry UTF-8), and any UTF-8 filename survives the round trip.
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

export function toMetadata(facts: { filename?: string; createdAt: Date; expiresAt?: Date }): Record<string, string> {
  const metadata: Record<string, string> = { [META_CREATED]: String(facts.createdAt.getTime()) };
  if (facts.filename !== undefined) metadata[META_FILENAME] = encodeURIComponent(facts.filename);
  if (facts.expiresAt !== undefined) metadata[META_EXPIRES] = String(facts.expiresAt.getTime());
  return metadata;
}

function decode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

function dateFrom(value: string | undefined): Date | undefined {
  if (value === undefined || !/^\d{1,16}$/.test(value)) return undefined;
  return new Date(Number(value));
}

/** When the object expires according to its metadata, or the store-wide expiry applied to its age. */
export function expiryOf(info: ObjectInfo, expiryMs: number | undefined): Date | undefined {
  const fromMeta = dateFrom(info.metadata?.[META_EXPIRES]);
  if (fromMeta) return fromMeta;
  if (expiryMs === undefined) return undefined;
  const created = dateFrom(info.metadata?.[META_CREATED]) ?? info.lastModified;
  return new Date(created.getTime() + expiryMs);
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
