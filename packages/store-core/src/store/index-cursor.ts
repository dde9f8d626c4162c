/**
 * The expiry index read beside the objects' listing (a merge join): the pass asks for the markers of each listed
 * id in listing order and the cursor walks the index listing forward (one page ahead, never holding more than a
 * page). It opens at the first id asked for (S3's start-after), or at the index's start when the epoch is still
 * to be read; a lookup far ahead of the cursor (ids the pass did not need to ask about in between) restarts the
 * index listing after that id instead of reading the gap.
 */
import type { Backend, ObjectInfo } from '../backend.js';
import { EPOCH_KEY, INDEX_PREFIX, type Marker, parseMarker } from './expiry-index.js';

export class IndexCursor {
  readonly #backend: Backend;
  readonly #jumpAfter: number;
  readonly #passed: (marker: Marker) => void;
  #listing: AsyncIterator<ObjectInfo> | undefined;
  #next: Marker | undefined;
  #done = false;
  /** The index or the lookups were out of order: nothing it says can be matched any more. */
  #broken = false;
  #lastHex = '';
  #lastLookup: string | undefined;
  #canJump = true;
  /** Every listed id was looked up since the index's start, so a marker passed over has no object. */
  #complete = false;
  /** The epoch's `lastModified` (epoch ms) once read; undefined while unknown or absent. */
  epoch: number | undefined;

  /** `passed` is told of markers whose id the objects' listing did not show (orphans of failed writes). */
  constructor(backend: Backend, jumpAfter: number, passed: (marker: Marker) => void, epoch: number | undefined) {
    this.#backend = backend;
    this.#jumpAfter = jumpAfter;
    this.#passed = passed;
    this.epoch = epoch;
  }

  /** Reads the index from its start (the epoch is its first key); undefined epoch after it: there is none. */
  async open(): Promise<void> {
    this.#complete = true;
    this.#listing = this.#backend.list({ prefix: INDEX_PREFIX })[Symbol.asyncIterator]();
    const first = await this.#listing.next();
    if (first.done) return this.#finish();
    if (first.value.key === EPOCH_KEY) this.epoch = first.value.lastModified?.getTime();
    else if (this.#take(first.value)) return;
    await this.#advance();
  }

  /** An id listed without a lookup: markers passed over from now on may be its own. */
  skip(): void {
    this.#complete = false;
  }

  /** False once the listings were seen out of UTF-8 byte order (fauxqs sorts by locale): nothing passed is sure. */
  get ordered(): boolean {
    return !this.#broken;
  }

  /** The markers of the id whose hex is `hex`; undefined when the index cannot tell (out of order). */
  async lookup(hex: string): Promise<Marker[] | undefined> {
    if (this.#broken) return undefined;
    if (this.#lastLookup !== undefined && hex <= this.#lastLookup) {
      this.#broken = true;
      return undefined;
    }
    this.#lastLookup = hex;
    if (!this.#listing && !this.#done) await this.#jump(hex);
    const found: Marker[] = [];
    let gap = 0;
    while (this.#next && !this.#broken) {
      const marker = this.#next;
      if (marker.hex > hex) break;
      if (marker.hex === hex) found.push(marker);
      else {
        if (this.#complete) this.#passed(marker);
        if (++gap > this.#jumpAfter && this.#canJump) {
          await this.#jump(hex);
          gap = 0;
          continue;
        }
      }
      await this.#advance();
    }
    return this.#broken ? undefined : found;
  }

  /** Reads to the end of the index when every id was looked up (what is left has no object), then closes. */
  async drain(): Promise<void> {
    while (this.#complete && this.#next && !this.#broken) {
      this.#passed(this.#next);
      await this.#advance();
    }
    await this.close();
  }

  async close(): Promise<void> {
    const listing = this.#listing;
    this.#listing = undefined;
    this.#next = undefined;
    await listing?.return?.();
  }

  async #advance(): Promise<void> {
    this.#next = undefined;
    while (this.#listing && !this.#done) {
      const step = await this.#listing.next();
      if (step.done) return this.#finish();
      if (this.#take(step.value)) return;
    }
  }

  /** Makes a listed marker the next one; false for anything else under the index prefix. */
  #take(info: ObjectInfo): boolean {
    const marker = parseMarker(info);
    if (!marker) return false;
    if (marker.hex < this.#lastHex) this.#broken = true;
    this.#lastHex = marker.hex;
    this.#next = marker;
    return true;
  }

  async #finish(): Promise<void> {
    this.#done = true;
    await this.close();
  }

  /** (Re)starts the index listing just before `hex`'s markers; the gap is not read (nor collected). */
  async #jump(hex: string): Promise<void> {
    await this.close();
    this.#complete = false;
    this.#done = false;
    this.#listing = this.#backend
      .list({ prefix: INDEX_PREFIX, startAfter: `${INDEX_PREFIX}${hex}` })
      [Symbol.asyncIterator]();
    this.#lastHex = '';
    await this.#advance();
    // A backend that ignored `startAfter` listed from the start again: read on instead of jumping in a circle.
    if (this.#next && this.#next.hex < hex) this.#canJump = false;
  }
}
