/**
 * What a pass knows of a listed object's expiry when the listing carries no metadata (S3): what the expiry index
 * says (expiry-index.ts), what earlier passes of this process learned, or nothing — then one HEAD tells, and the
 * answer is remembered. Entries are kept per listed version (lastModified and size: a rewrite is asked again),
 * dropped when a complete listing no longer shows them, and capped (about 200 bytes each): past the cap an object
 * is only HEADed when its age says expired, so an earlier per-write expiry on it waits for the default.
 */
import type { Backend, ObjectInfo } from '../backend.js';
import type { Marker } from './expiry-index.js';

export interface LearnedExpiry {
  /** The listed version (a rewrite changes it, so what was learned of the old object is asked again). */
  modified: number;
  size: number;
  /** Epoch ms; Infinity when the object never expires. */
  expiresAt: number;
  /** The index markers that go with the object when it is deleted (usually none). */
  markers: readonly string[] | undefined;
  /** Its markers were not matched by the listing (order): looked up if it is deleted. */
  unindexed: boolean;
  pass: symbol;
}

export const MAX_LEARNED = 200_000;

export function isVersionOf(entry: LearnedExpiry, info: ObjectInfo): boolean {
  return entry.size === info.size && entry.modified === info.lastModified?.getTime();
}

/**
 * A copy of `key` that holds no reference to the listing page it was cut from (V8 keeps a whole parent string
 * alive for a substring of it): a remembered key costs its own bytes, not a page's.
 */
export function ownCopy(key: string): string {
  return Buffer.from(key, 'utf8').toString('utf8');
}

/** The expiry index's epoch per backend, once a pass has read it (it never moves). */
export const epochs = new WeakMap<Backend, number>();

const learnedByBackend = new WeakMap<Backend, Map<string, LearnedExpiry>>();

/** Expiries learned per backend, across passes (and Stores) of this process. */
export function learnedExpiries(backend: Backend): Map<string, LearnedExpiry> {
  let learned = learnedByBackend.get(backend);
  if (!learned) {
    learned = new Map();
    learnedByBackend.set(backend, learned);
  }
  return learned;
}

export interface IndexVerdict {
  /** Epoch ms (Infinity: never), or undefined when only a HEAD can tell. */
  expiresAt: number | undefined;
  /** Markers that belong to this object: deleted with it. */
  markers: string[];
}

/**
 * Reads an object's markers. The newest marker not newer than the object is its write's (markers are written
 * first); older ones were superseded and newer ones belong to a write in flight or one that failed. No marker
 * means the default expiry for an object written after the index began (`epoch`); before it, nothing is known.
 * Two different markers of the same second (whole-second servers) cannot be ordered: a HEAD decides.
 * `garbage` gets the keys no object needs: superseded markers, and failed writes' markers once `staleBefore`.
 */
export function judgeMarkers(
  info: ObjectInfo,
  markers: readonly Marker[],
  context: { epoch: number | undefined; defaultExpiry: number | undefined; staleBefore: number },
  garbage: (key: string) => void,
): IndexVerdict {
  const modified = info.lastModified?.getTime() ?? Number.NaN;
  let newest: Marker | undefined;
  let tied = false;
  const applicable: Marker[] = [];
  for (const marker of markers) {
    if (!(marker.lastModified <= modified)) {
      if (marker.lastModified < context.staleBefore) garbage(marker.key);
      continue;
    }
    applicable.push(marker);
    if (!newest || marker.lastModified > newest.lastModified) {
      newest = marker;
      tied = false;
    } else if (marker.lastModified === newest.lastModified && marker.expiresAt !== newest.expiresAt) tied = true;
  }
  const own = applicable.map((marker) => marker.key);
  const byDefault = context.defaultExpiry === undefined ? Number.POSITIVE_INFINITY : modified + context.defaultExpiry;
  if (!newest) {
    const trusted = context.epoch !== undefined && modified > context.epoch;
    return { expiresAt: trusted ? byDefault : undefined, markers: own };
  }
  if (tied) return { expiresAt: undefined, markers: own };
  const current = newest;
  for (const marker of applicable) {
    if (marker.lastModified < current.lastModified) garbage(marker.key);
  }
  return {
    expiresAt: current.expiresAt ?? byDefault,
    markers: applicable.filter((marker) => marker.lastModified >= current.lastModified).map((marker) => marker.key),
  };
}
