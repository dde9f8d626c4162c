/**
 * The metadata rules all backends share. They are what an S3 user-metadata header can carry: lower-case ASCII keys,
 * printable ASCII values. (The Store percent-encodes its values, so UTF-8 file names fit.)
 */
import { AttError } from './errors.js';

const METADATA_KEY = /^[a-z0-9][a-z0-9-]{0,63}$/;
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
/** S3 limits user metadata to 2 KiB in total; staying under it keeps every backend interchangeable. */
export const MAX_METADATA_BYTES = 2048;

/** Throws INVALID_REQUEST unless `metadata` follows the shared rules. */
export function checkObjectMetadata(metadata: Record<string, string> | undefined): void {
  let total = 0;
  for (const [key, value] of Object.entries(metadata ?? {})) {
    if (!METADATA_KEY.test(key) || typeof value !== 'string' || !PRINTABLE_ASCII.test(value)) {
      throw new AttError('INVALID_REQUEST', `metadata "${key}" needs a lower-case key and a printable ASCII value`);
    }
    total += key.length + value.length;
  }
  if (total > MAX_METADATA_BYTES) {
    throw new AttError('INVALID_REQUEST', `metadata exceeds ${MAX_METADATA_BYTES} bytes`);
  }
}
