import { AttError } from '@att/store-core';
import { DAY_MS, type ResolvedOptions } from './options.js';

/**
 * Charges one request's bytes to its visitor as they stream, so concurrent uploads of the same visitor see
 * each other's bytes at once (a check-then-write would let them overshoot together). Failed uploads give
 * their charge back: bytes that were not stored must not count against anyone.
 */
export class VisitorMeter {
  readonly #opts: ResolvedOptions;
  readonly #totalKey: string;
  readonly #bandwidthKey: string;
  /** When uploads charged by this meter expire: they leave the visitor's total then. */
  readonly expiresAt: Date;
  readonly #totalExpiresAt: number;
  readonly #bandwidthExpiresAt: number;
  #charged = 0;

  constructor(opts: ResolvedOptions, visitor: string, now: number) {
    this.#opts = opts;
    this.#totalKey = `total:${visitor}`;
    this.#bandwidthKey = `bandwidth:${visitor}`;
    this.#totalExpiresAt = now + opts.expiry;
    this.expiresAt = new Date(this.#totalExpiresAt);
    this.#bandwidthExpiresAt = now + DAY_MS;
  }

  /** What this visitor may still upload right now. */
  async remaining(): Promise<{ total: number; bandwidth: number }> {
    const now = Date.now();
    const { limits, visitorTotalSizeLimit, visitorDailyBandwidth } = this.#opts;
    const total = Number.isFinite(visitorTotalSizeLimit)
      ? visitorTotalSizeLimit - (await limits.usage(this.#totalKey, now))
      : Number.POSITIVE_INFINITY;
    const bandwidth = Number.isFinite(visitorDailyBandwidth)
      ? visitorDailyBandwidth - (await limits.usage(this.#bandwidthKey, now))
      : Number.POSITIVE_INFINITY;
    return { total, bandwidth };
  }

  /**
   * Adds `bytes` of upload to both counters, or throws (charging nothing) when either would go over.
   * Synchronous when the limiter store is, so the hot path costs no promise per chunk.
   */
  chargeUpload(bytes: number): void | Promise<void> {
    const { limits, visitorTotalSizeLimit, visitorDailyBandwidth } = this.#opts;
    const totalOn = Number.isFinite(visitorTotalSizeLimit);
    const bandwidthOn = Number.isFinite(visitorDailyBandwidth);
    if (!totalOn && !bandwidthOn) {
      this.#charged += bytes;
      return;
    }
    const now = Date.now();
    const undoTotal = () => (totalOn ? limits.add(this.#totalKey, -bytes, this.#totalExpiresAt, now) : undefined);
    const afterTotal = (total: number): void | Promise<void> => {
      if (total > visitorTotalSizeLimit) {
        return then(undoTotal(), () => {
          throw new AttError('TOO_LARGE', 'visitor attachment size limit reached', {
            details: { limit: visitorTotalSizeLimit },
          });
        });
      }
      if (!bandwidthOn) {
        this.#charged += bytes;
        return;
      }
      return then(limits.add(this.#bandwidthKey, bytes, this.#bandwidthExpiresAt, now), (used) => {
        if (used <= visitorDailyBandwidth) {
          this.#charged += bytes;
          return;
        }
        return then(limits.add(this.#bandwidthKey, -bytes, this.#bandwidthExpiresAt, now), () =>
          then(undoTotal(), () => {
            throw new AttError('RATE_LIMITED', 'daily bandwidth limit reached', {
              details: { limit: visitorDailyBandwidth },
            });
          }),
        );
      });
    };
    return totalOn ? then(limits.add(this.#totalKey, bytes, this.#totalExpiresAt, now), afterTotal) : afterTotal(0);
  }

  /** Gives back everything this meter charged (the upload failed). */
  async refund(): Promise<void> {
    const bytes = this.#charged;
    this.#charged = 0;
    if (bytes === 0) return;
    const now = Date.now();
    const { limits, visitorTotalSizeLimit, visitorDailyBandwidth } = this.#opts;
    if (Number.isFinite(visitorTotalSizeLimit)) await limits.add(this.#totalKey, -bytes, this.#totalExpiresAt, now);
    if (Number.isFinite(visitorDailyBandwidth)) {
      await limits.add(this.#bandwidthKey, -bytes, this.#bandwidthExpiresAt, now);
    }
  }

  /** Charges a download of `bytes`, all at once before sending; false (nothing charged) when over the limit. */
  async chargeDownload(bytes: number): Promise<boolean> {
    const { limits, visitorDailyBandwidth } = this.#opts;
    if (!Number.isFinite(visitorDailyBandwidth) || bytes === 0) return true;
    const now = Date.now();
    const used = await limits.add(this.#bandwidthKey, bytes, this.#bandwidthExpiresAt, now);
    if (used <= visitorDailyBandwidth) return true;
    await limits.add(this.#bandwidthKey, -bytes, this.#bandwidthExpiresAt, now);
    return false;
  }
}

/** Continues with `fn` synchronously for plain values and asynchronously for promises. */
function then<T, R>(value: T | Promise<T>, fn: (v: T) => R | Promise<R>): R | Promise<R> {
  return value instanceof Promise ? value.then(fn) : fn(value);
}
