/**
 * Recomputes the stored total from a streamed listing while writes and deletions keep happening.
 *
 * Objects nobody touches during the listing count at their listed size. For an id that is written or deleted
 * while the listing runs, the listing may show the old or the new state, so the Store reports every change
 * (`touch(id, before, after)`) and we use what we know instead: the latest size if the listing reached the id after
 * the change, or listed-old plus the change if it had passed it already. Memory: O(ids touched during the pass).
 */
interface Touch {
  before: number;
  after: number;
  seen: boolean;
}

export class Reconciler {
  readonly #touched = new Map<string, Touch>();
  #base = 0;
  #objects = 0;

  /** The Store reports each settled change of an id: size before (0 = absent) and after (0 = deleted). */
  touch(id: string, before: number, after: number): void {
    const known = this.#touched.get(id);
    if (known) known.after = after;
    else this.#touched.set(id, { before, after, seen: false });
  }

  wasTouched(id: string): boolean {
    return this.#touched.has(id);
  }

  /** Counts one listed object. */
  count(id: string, size: number): void {
    const known = this.#touched.get(id);
    if (known) {
      known.seen = true;
      return;
    }
    this.#base += size;
    this.#objects += 1;
  }

  /** The total the backend holds now, as far as this pass can tell. */
  total(): number {
    let total = this.#base;
    for (const touch of this.#touched.values()) total += touch.seen ? touch.after : touch.after - touch.before;
    return Math.max(0, total);
  }

  objects(): number {
    let objects = this.#objects;
    for (const touch of this.#touched.values()) {
      if (touch.seen) objects += touch.after > 0 ? 1 : 0;
      else objects += (touch.after > 0 ? 1 : 0) - (touch.before > 0 ? 1 : 0);
    }
    return Math.max(0, objects);
  }
}
