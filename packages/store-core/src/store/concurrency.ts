/** Runs `task` over `items` with at most `limit` in flight (removing 10 000 ids must not open 10 000 files). */
export async function forEachLimited<T>(items: T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await task(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/**
 * Tasks started as they come with at most `limit` running: `add` waits for a free slot before it starts one, so
 * whoever feeds the window (a listing) is held back instead of queueing without bound. Tasks must not reject
 * (each handles its own failure); `drain` waits for the running ones.
 */
export class TaskWindow {
  readonly #running = new Set<Promise<void>>();
  readonly #limit: number;

  constructor(limit: number) {
    this.#limit = limit;
  }

  async add(task: () => Promise<void>): Promise<void> {
    while (this.#running.size >= this.#limit) await Promise.race(this.#running);
    const running: Promise<void> = task().finally(() => this.#running.delete(running));
    this.#running.add(running);
  }

  async drain(): Promise<void> {
    while (this.#running.size > 0) await Promise.race(this.#running);
  }
}
