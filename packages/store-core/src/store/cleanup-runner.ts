/**
 * When and where cleanup passes run for one Store: never two at once in this process (a call during a pass
 * starts when it ends), only in the fleet process holding the cleanup lease, optionally on a timer; each pass
 * ends with the ledger flushed and a `cleanup` event. What a pass does is cleanup.ts.
 */
import type { Backend } from '../backend.js';
import { elapsedMs, type StoreEvents } from '../events/store-events.js';
import type { AttLogger } from '../logging/logger.js';
import type { Lease } from '../state/lease.js';
import type { Accounting } from './accounting.js';
import { type CleanupResult, runCleanup } from './cleanup.js';
import type { KeyedLock } from './keyed-lock.js';
import { runLeased } from './leased.js';
import { DEFAULT_ID_PATTERN, HOUR, type StoreOptions } from './options.js';
import { Scheduler } from './scheduler.js';

/** How long a cleanup pass holds the fleet's cleanup lease between renewals. */
const CLEANUP_LEASE_MS = 60_000;

const EMPTY_PASS: CleanupResult = { scanned: 0, expired: 0, orphans: 0, incomplete: 0, bytesFreed: 0, errors: 0 };

export interface CleanupRunnerContext {
  backend: Backend;
  options: StoreOptions;
  accounting: Accounting;
  lock: KeyedLock;
  lease: Lease;
  events: StoreEvents;
  logger: AttLogger;
  now: () => number;
  isValidId: (key: string) => boolean;
}

export class CleanupRunner {
  readonly #context: CleanupRunnerContext;
  readonly #scheduler: Scheduler;
  #lastPass: Promise<unknown> = Promise.resolve();

  constructor(context: CleanupRunnerContext, scheduledPass: () => Promise<unknown>) {
    this.#context = context;
    this.#scheduler = new Scheduler(scheduledPass, context.logger);
  }

  /** One pass, after the one running (if any) settles. */
  run(): Promise<CleanupResult> {
    const pass = this.#lastPass.catch(() => undefined).then(() => this.#runPass());
    this.#lastPass = pass;
    return pass;
  }

  start(intervalMs: number): void {
    this.#scheduler.start(intervalMs);
  }

  /** Stops the timer and waits for a scheduled pass that is running. */
  stop(): Promise<void> {
    return this.#scheduler.stop();
  }

  async #runPass(): Promise<CleanupResult> {
    const since = performance.now();
    const result = await this.#leasedPass();
    const { events } = this.#context;
    if (events.wants('cleanup')) events.emit('cleanup', { ...result, durationMs: elapsedMs(since) });
    return result;
  }

  /** A pass under the fleet's cleanup lease: the process that holds it runs, the others skip. */
  async #leasedPass(): Promise<CleanupResult> {
    const { lease, logger, accounting } = this.#context;
    const pass = await runLeased(lease, 'cleanup', CLEANUP_LEASE_MS, logger, async () => {
      const result = await this.#cleanupPass();
      await accounting.flush();
      return result;
    });
    return pass.ran ? pass.result : { ...EMPTY_PASS, skipped: true };
  }

  #cleanupPass(): Promise<CleanupResult> {
    const { options, events } = this.#context;
    return runCleanup({
      accounting: this.#context.accounting,
      isValidId: this.#context.isValidId,
      backend: this.#context.backend,
      lock: this.#context.lock,
      now: this.#context.now,
      expiry: options.expiry,
      isReferenced: options.isReferenced,
      orphanGracePeriod: options.orphanGracePeriod ?? HOUR,
      staleUploadAge: options.staleUploadAge ?? HOUR,
      pageSize: options.pageSize ?? 1000,
      // Default ids start with [A-Za-z0-9_-]: none sorts before the Store's own keys (`!att/`).
      idsAfterReserved: options.idPattern === undefined || options.idPattern === DEFAULT_ID_PATTERN,
      logger: this.#context.logger,
      onDeleted: (kind, id, size) => {
        if (kind === 'expired') {
          if (events.wants('expire')) events.emit('expire', { id, size });
        } else if (events.wants('remove')) events.emit('remove', { id, size, reason: 'orphan' });
      },
    });
  }
}
