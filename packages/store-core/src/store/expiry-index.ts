/**
 * The expiry index: per-write expiries written where a listing sees them, for backends whose listings carry no
 * metadata (S3's ListObjectsV2). A write with its own `expiresAt` first PUTs an empty marker
 * `!att/expiry/<hex of the id's UTF-8>.<expiresAt ms, 16 digits>`, then its object; a rewrite that drops an own
 * expiry writes `….none`. The marker goes first so that an object never exists without the marker its write
 * meant (a crash between the two leaves a marker newer than any object under the id, which cleanup ignores and
 * later deletes); the marker that applies to an object is so the newest one not newer than it.
 *
 * Why this layout: hex keeps hostile ids harmless (the marker key is `[0-9a-f.]` whatever the id) and sorts
 * exactly as the ids' UTF-8 bytes do, and the `.` after it sorts below every hex digit, so the index lists in the
 * same order as the objects and a pass merge-joins the two listings holding a page of each (index-cursor.ts).
 * Under `!att/` the index sorts before every id the default pattern allows: a backend that hides the reserved
 * range from its listings (backend-s3 does, with one start-after) skips it at the listing's start. Writes without
 * an own expiry (the common case) pay nothing; objects written before the index existed (before the epoch
 * `!att/expiry/-since`, written by the first pass that found none) are HEADed once per process instead.
 */
import type { Backend, ObjectInfo } from '../backend.js';

/** Keys under this prefix belong to att: never ids, never counted, never listed as attachments. */
export const RESERVED_PREFIX = '!att/';
export const INDEX_PREFIX = `${RESERVED_PREFIX}expiry/`;
/** Its `lastModified` is when writes began to keep the index: objects after it that have no marker need none. */
export const EPOCH_KEY = `${INDEX_PREFIX}-since`;
/** Every reserved key sorts at or before this one: a listing that skips them goes on after it. */
export const RESERVED_END = `${RESERVED_PREFIX}~`;

const MARKER = /^([0-9a-f]+)\.(\d{16}|none)$/;

/** A marker as listed: whose id (hex), what it says (epoch ms; null: the store's default expiry), when written. */
export interface Marker {
  key: string;
  hex: string;
  expiresAt: number | null;
  lastModified: number;
}

export function isReservedKey(key: string): boolean {
  return key.startsWith(RESERVED_PREFIX);
}

export function hexOf(id: string): string {
  return Buffer.from(id, 'utf8').toString('hex');
}

export function markerKey(id: string, expiresAt: Date | undefined): string {
  const value = expiresAt === undefined ? 'none' : String(Math.max(0, expiresAt.getTime())).padStart(16, '0');
  return `${INDEX_PREFIX}${hexOf(id)}.${value}`;
}

export function parseMarker(info: ObjectInfo): Marker | undefined {
  if (!info.key.startsWith(INDEX_PREFIX)) return undefined;
  const match = MARKER.exec(info.key.slice(INDEX_PREFIX.length));
  if (!match) return undefined;
  const [, hex, value] = match as unknown as [string, string, string];
  return {
    key: info.key,
    hex,
    expiresAt: value === 'none' ? null : Number(value),
    lastModified: info.lastModified?.getTime() ?? Number.NaN,
  };
}

/** Whether the Store keeps an expiry index on this backend: only where listings cannot show metadata. */
export function keepsIndex(backend: Backend): boolean {
  return backend.listsMetadata === false;
}

/** Writes the marker a write of `id` needs before its object (undefined: back to the default expiry). */
export async function putMarker(backend: Backend, id: string, expiresAt: Date | undefined): Promise<string> {
  const key = markerKey(id, expiresAt);
  await backend.put(key, (async function* () {})(), { size: 0 });
  return key;
}

/** The markers kept for `id` (a removal deletes them with the object). */
export async function markersOf(backend: Backend, id: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const info of backend.list({ prefix: `${INDEX_PREFIX}${hexOf(id)}.` })) {
    if (parseMarker(info)) keys.push(info.key);
  }
  return keys;
}
