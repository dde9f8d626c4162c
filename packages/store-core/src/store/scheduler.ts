/**
 * Runs cleanup passes on a timer: one pass at a time (the next is scheduled only after the previous settles, so a
 * slow backend can never stack passes), unref'd so it never keeps the process alive.
 */
import type { AttLogger } from '../logging/logger.js';

export class Scheduler {
  readonly #pass: () => Promise<unknown>;
  readonly #logger: AttLogger;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #active = false;
  #interval = 0;

  constructor(pass: () => Promise<unknown>, logger: AttLogger) {
    this.#pass = pass;
    this.#logger = logger;
  }

  start(intervalMs: number): void {
    this.#interval = intervalMs;
    if (this.#active) return;
    this.#active = true;
    this.#schedule(0);
  }

  async stop(): Promise<void> {
    this.#active = false;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }

  #schedule(delay: number): void {
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      // Through a promise, so even a pass that throws synchronously cannot become an uncaught exception.
      this.#running = Promise.resolve()
        .then(() => this.#pass())
        .then(
          () => {},
          (err: unknown) => this.#logger.warn({ err }, 'cleanup pass failed'),
        )
        .finally(() => {
          this.#running = undefined;
          if (this.#active) this.#schedule(this.#interval);
        });
    }, delay);
    this.#timer.unref();
  }
}
