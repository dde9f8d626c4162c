/**
 * The Store as an event source: one object per Store that fans each event out to the diagnostics channel (for
 * process-wide listeners like @att/otel) and to `store.on()` listeners (for the app). `wants()` is the guard the
 * hot path checks before building a payload, so a Store nobody listens to allocates nothing for events.
 */
import { isAttError } from '../errors.js';
import type { AttLogger } from '../logging/logger.js';
import { type StoreEventMap, type StoreEventName, storeChannels } from './channels.js';

export type StoreListener<K extends StoreEventName> = (event: StoreEventMap[K]) => void;

export class StoreEvents {
  readonly #source: object;
  readonly #logger: AttLogger;
  /** Only names somebody listens to have an entry, so `wants()` is one lookup. */
  readonly #listeners = new Map<StoreEventName, Set<(event: never) => void>>();

  constructor(source: object, logger: AttLogger) {
    this.#source = source;
    this.#logger = logger;
  }

  /** Whether anyone listens to `name` (the only cost of an event nobody hears). */
  wants(name: StoreEventName): boolean {
    return storeChannels[name].hasSubscribers || this.#listeners.has(name);
  }

  emit<K extends StoreEventName>(name: K, event: StoreEventMap[K]): void {
    const channel = storeChannels[name];
    if (channel.hasSubscribers) channel.publish({ ...event, store: this.#source });
    const listeners = this.#listeners.get(name) as Set<StoreListener<K>> | undefined;
    if (!listeners) return;
    for (const listener of listeners) {
      // A listener's bug must not fail the write or pass that reported to it.
      try {
        listener(event);
      } catch (err) {
        this.#logger.warn({ event: name, err }, `a store.on('${name}') listener threw`);
      }
    }
  }

  on<K extends StoreEventName>(name: K, listener: StoreListener<K>): () => void {
    if (!(name in storeChannels)) throw new TypeError(`unknown store event: ${String(name)}`);
    if (typeof listener !== 'function') throw new TypeError('a store event listener must be a function');
    let listeners = this.#listeners.get(name);
    if (!listeners) {
      listeners = new Set();
      this.#listeners.set(name, listeners);
    }
    listeners.add(listener);
    return () => this.off(name, listener);
  }

  off<K extends StoreEventName>(name: K, listener: StoreListener<K>): void {
    const listeners = this.#listeners.get(name);
    if (!listeners?.delete(listener)) return;
    // The entry goes, so `wants()` is false again once the last listener left.
    if (listeners.size === 0) this.#listeners.delete(name);
  }
}

/** The code a failure is reported under: the AttError's, else INTERNAL (never a message: it may hold secrets). */
export function failureCode(err: unknown): string {
  return isAttError(err) ? err.code : 'INTERNAL';
}

/** Milliseconds since `started` (a `performance.now()` reading), to the microsecond. */
export function elapsedMs(started: number): number {
  return Math.round((performance.now() - started) * 1000) / 1000;
}
