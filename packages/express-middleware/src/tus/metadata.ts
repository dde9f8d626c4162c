/**
 * From Upload-Metadata to what the attachment stores: `filename` (or Uppy's `name`) becomes the attachment's file
 * name, `filetype` (or `type`) its content type; the header itself is kept verbatim, so HEAD can echo it.
 */
import { AttError } from '@att/store-core';
import { sanitizeFilename } from '../filename.js';
import { parseMetadata } from './protocol.js';

/** Stored on the upload (and on the published object) to answer HEAD with the client's own Upload-Metadata. */
export const RAW_METADATA_KEY = 'att-tus-metadata';
const MAX_RAW_METADATA = 1024;

export interface UploadDescription {
  filename?: string;
  contentType?: string;
  raw?: string;
}

export function describeUpload(header: string | undefined): UploadDescription {
  const pairs = parseMetadata(header);
  const description: UploadDescription = {};
  const filename = pairs.get('filename') ?? pairs.get('name');
  if (filename) {
    const safe = sanitizeFilename(filename);
    if (safe) description.filename = safe;
  }
  const type = pairs.get('filetype') ?? pairs.get('type');
  // Printable ASCII only: a content type is a header on every download.
  if (type && /^[\x20-\x7e]{1,255}$/.test(type)) description.contentType = type;
  if (header !== undefined && header.trim() !== '') {
    if (header.length > MAX_RAW_METADATA) {
      throw new AttError('INVALID_REQUEST', `Upload-Metadata is longer than ${MAX_RAW_METADATA} bytes`);
    }
    description.raw = header.trim();
  }
  return description;
}
