/**
 * Key → path mapping. Keys may contain `/` (they become sub-directories), but no key can name anything outside
 * `dir` or inside att's own folders. This is defence in depth: the Store's id check normally allows far less.
 *
 * Rejected with INVALID_ID: empty keys, keys over 1024 characters, NUL and other control characters, backslashes,
 * absolute keys, empty segments (`a//b`, trailing `/`), `.` and `..` segments, percent-encoded dots, slashes and
 * backslashes (`%2e`, `%2f`, `%5c`), segments over 255 bytes, segments starting with `.att-` (reserved), and on
 * Windows the characters `<>:"|?*`.
 */
import path from 'node:path';
import { AttError } from '@att/store-core';

/** Folders att keeps inside `dir` (never listed, never reachable by a key). */
export const TMP_DIR = '.att-tmp';
export const META_DIR = '.att-meta';
const RESERVED_PREFIX = '.att-';

/** C0 control characters (NUL included) and DEL. */
function hasControlCharacter(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}
const ENCODED_SEPARATOR = /%(2e|2f|5c|00)/i;
const WINDOWS_FORBIDDEN = /[<>:"|?*]/;

function invalid(reason: string): AttError {
  return new AttError('INVALID_ID', `invalid key: ${reason}`);
}

/** Throws INVALID_ID unless `key` is safe; returns its segments. */
export function keySegments(key: string): string[] {
  if (typeof key !== 'string' || key.length === 0) throw invalid('empty');
  if (key.length > 1024) throw invalid('longer than 1024 characters');
  if (hasControlCharacter(key)) throw invalid('control characters (NUL included) are not allowed');
  if (key.includes('\\')) throw invalid('backslashes are not allowed');
  if (ENCODED_SEPARATOR.test(key)) throw invalid('percent-encoded dots and separators are not allowed');
  if (key.startsWith('/') || path.isAbsolute(key)) throw invalid('absolute keys are not allowed');
  const segments = key.split('/');
  for (const segment of segments) {
    if (segment === '') throw invalid('empty path segments are not allowed');
    if (segment === '.' || segment === '..') throw invalid('"." and ".." segments are not allowed');
    if (segment.startsWith(RESERVED_PREFIX)) throw invalid(`segments starting with "${RESERVED_PREFIX}" are reserved`);
    if (Buffer.byteLength(segment) > 255) throw invalid('a segment is longer than 255 bytes');
    if (process.platform === 'win32' && (WINDOWS_FORBIDDEN.test(segment) || /[. ]$/.test(segment))) {
      throw invalid('characters Windows cannot store');
    }
  }
  return segments;
}

/** The absolute file path of `key` under `root` (which must be absolute and normalized). */
export function keyToPath(root: string, key: string): string {
  const target = path.join(root, ...keySegments(key));
  // Belt and braces: whatever slipped through the rules above, never leave the root.
  if (!target.startsWith(root + path.sep)) throw invalid('escapes the storage directory');
  return target;
}
