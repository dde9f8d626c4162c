/**
 * Per-id mutual exclusion inside one process. Writes, removals and cleanup deletions of the same id run one at a
 * time, so "old size out, new size in" accounting stays exact when an id is replaced.
 */
export class KeyedLock {
  readonly #tails = new Map<string, Promise<void>>();

  isLocked(key: string): boolean {
    return this.#tails.has(key);
  }

  /** Runs `fn` once every earlier holder of `key` has finished. */
  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key);
    let release!: () => void;
    const mine = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous ? previous.then(() => mine) : mine;
    this.#tails.set(key, tail);
    try {
      if (previous) await previous;
      return await fn();
    } finally {
      release();
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    }
  }

  /** Takes every key that is free right now (synchronously); returns a release function and the keys taken. */
  tryLockAll(keys: Iterable<string>): { taken: string[]; release: () => void } {
    const taken: string[] = [];
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    for (const key of keys) {
      if (this.#tails.has(key)) continue;
      this.#tails.set(key, held);
      taken.push(key);
    }
    return {
      taken,
      release: () => {
        release();
        for (const key of taken) if (this.#tails.get(key) === held) this.#tails.delete(key);
      },
    };
  }
}
