/**
 * Bandwidth, live: the bytes of a PATCH are reserved on the visitor's daily bandwidth before they are passed on to
 * the backend, and the bytes that arrived are committed when the request ends, whatever became of them. A body that
 * runs past what is left is cut off exactly there (429 RATE_LIMITED; what arrived before stays in the upload, which
 * resumes from HEAD once there is bandwidth again), rather than stored whole and refused afterwards.
 *
 * Reserved a slice ahead (one ledger call per SLICE bytes instead of one per 64 KiB network chunk); when the slice
 * is refused, only the bytes in hand are asked for, so the cut falls on the limit, not a slice before it.
 */
import type { Budget, Store } from '@att/store-core';

export const BANDWIDTH_SLICE = 1024 * 1024;

export interface BandwidthMeter {
  /** Passes the body on, each chunk reserved before it goes further. */
  through(body: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array>;
  /** Commits the bytes that arrived (the request ended, however). */
  finish(): Promise<void>;
}

export function meterBandwidth(store: Store, budgets: readonly Budget[], slice = BANDWIDTH_SLICE): BandwidthMeter {
  if (budgets.length === 0) {
    return {
      through: async function* (body) {
        yield* body;
      },
      finish: async () => {},
    };
  }
  const meter = store.meter(budgets);
  let received = 0;
  return {
    async *through(body) {
      for await (const chunk of body) {
        received += chunk.byteLength;
        const needed = received - meter.reserved;
        if (needed > 0) await meter.grow(needed, Math.max(needed, slice));
        yield chunk;
      }
    },
    finish: () => meter.settle(received),
  };
}
