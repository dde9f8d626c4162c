/**
 * The `key` a client carries between the signing calls of one direct upload (Uppy passes it back as `?key=`, the
 * page confirms with it): the upload's record — id, declared size, content type, att's metadata, the visitor who
 * pays, and for multipart the upload id and part size — sealed with AES-256-GCM under the server's secret. Any
 * instance of a fleet holding the same `direct.secret` opens it, so signing part 7 may land on another instance than
 * part 6; nothing is kept per process. A key this server did not seal (forged, altered, another secret) does not
 * open: 403. Whether the upload is still live is the shared ledger's answer (its reservation), see context.ts.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { AttError } from '@att/store-core';

export interface IssuedUpload {
  /** The attachment id the server chose: the object at `<prefix>/<id>`. */
  id: string;
  /** Declared size in bytes: signed into the URL(s), reserved, and what the object must measure. */
  size: number;
  contentType: string;
  /** att's metadata as signed (`att-created`, `att-filename`, `att-expires`). */
  metadata: Record<string, string>;
  /** Who pays: the visitor at signing time (their budgets hold the reservation). */
  visitor: string;
  /** Multipart only: S3's upload id and the part size every part but the last has. */
  uploadId?: string;
  partSize?: number;
}

const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Bound on what is opened at all (a filename is at most 1 KiB): a huge `key` is refused before any crypto. */
const MAX_KEY_LENGTH = 8192;
const CONTEXT = Buffer.from('att direct-upload key v1');

/** The AES key for `secret` (any length ≥ 32 bytes), derived so the secret itself is never the cipher key. */
export function sealingKey(secret: Uint8Array): Buffer {
  return createHmac('sha256', secret).update(CONTEXT).digest();
}

export function sealUpload(key: Buffer, upload: IssuedUpload): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(CONTEXT);
  const body = Buffer.concat([cipher.update(JSON.stringify(upload), 'utf8'), cipher.final()]);
  return Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url');
}

function forbidden(): AttError {
  return new AttError('FORBIDDEN', 'this upload was not issued here, or it expired');
}

function isUpload(value: unknown): value is IssuedUpload {
  const u = value as Partial<IssuedUpload> | null;
  return (
    typeof u === 'object' &&
    u !== null &&
    typeof u.id === 'string' &&
    Number.isSafeInteger(u.size) &&
    typeof u.contentType === 'string' &&
    typeof u.metadata === 'object' &&
    u.metadata !== null &&
    typeof u.visitor === 'string'
  );
}

/** The record sealed in `text`; FORBIDDEN for anything this server's secret did not seal. */
export function openUpload(key: Buffer, text: unknown): IssuedUpload {
  if (typeof text !== 'string' || text.length > MAX_KEY_LENGTH || !/^[A-Za-z0-9_-]+$/.test(text)) throw forbidden();
  const sealed = Buffer.from(text, 'base64url');
  if (sealed.length <= IV_BYTES + TAG_BYTES) throw forbidden();
  let plain: string;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, IV_BYTES));
    decipher.setAAD(CONTEXT);
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
    plain = Buffer.concat([
      decipher.update(sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES)),
      decipher.final(),
    ]).toString('utf8');
  } catch {
    throw forbidden();
  }
  const upload: unknown = JSON.parse(plain);
  if (!isUpload(upload)) throw forbidden();
  return upload;
}
