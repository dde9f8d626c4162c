/**
 * Recomputes the stored total from a streamed listing while writes and deletions keep happening.
 *
 * Ids no operation touches during the pass count at their listed size. For an id with an operation (write or
 * remove) during the pass, the Store reports `begin(id, sizeBefore)` once it holds the id's lock and
 * `settle(id, sizeAfter)` when it is done (`undefined` = no object). Then:
 * - listed after `begin`: the listing saw some state of a changing object, so we use the final state instead;
 * - not listed after `begin`, no object before: the listing cannot have counted it, so we add the final state;
 * - not listed after `begin`, replaced: renames/PUTs are atomic, so the listing counted the old size before the
 *   operation began; we add the difference;
 * - not listed after `begin`, deleted: the listing may have counted it (before) or missed it (after the delete).
 *   That one case is ambiguous, and `total()` returns undefined so the caller keeps its live count.
 * Memory: O(ids operated on during the pass).
 */
interface Operation {
  before: number | undefined;
  after: number | undefined;
  seen: boolean;
}

export class Reconciler {
  readonly #ops = new Map<string, Operation>();
  #base = 0;
  #objects = 0;

  /** An operation on `id` holds its lock; `before` is the object's size then (undefined: absent). */
  begin(id: string, before: number | undefined): void {
    if (!this.#ops.has(id)) this.#ops.set(id, { before, after: before, seen: false });
  }

  /** The operation ended; `after` is the object's size now (undefined: absent). */
  settle(id: string, after: number | undefined): void {
    const op = this.#ops.get(id);
    if (op) op.after = after;
  }

  /** True when an operation touched `id` during this pass (its listed state may be stale). */
  wasTouched(id: string): boolean {
    return this.#ops.has(id);
  }

  /** Counts one listed object. */
  count(id: string, size: number): void {
    const op = this.#ops.get(id);
    if (op) {
      op.seen = true;
      return;
    }
    this.#base += size;
    this.#objects += 1;
  }

  /** The pass itself deleted an object it had counted. */
  forget(size: number): void {
    this.#base -= size;
    this.#objects -= 1;
  }

  /** Bytes the backend holds now, or undefined when a deletion raced the listing ambiguously. */
  total(): { bytes: number; objects: number } | undefined {
    let bytes = this.#base;
    let objects = this.#objects;
    for (const op of this.#ops.values()) {
      const exists = op.after === undefined ? 0 : 1;
      if (op.seen || op.before === undefined) {
        bytes += op.after ?? 0;
        objects += exists;
      } else if (op.after !== undefined) {
        bytes += op.after - op.before;
      } else {
        return undefined;
      }
    }
    return { bytes: Math.max(0, bytes), objects: Math.max(0, objects) };
  }
}
