// young-gc.ts: the prompt's buffer never becomes resident, and cutting a stream into parts gets V8 to collect the
// copied chunks (a young GC per quarter part) instead of leaving them to pile up until V8's own trigger.
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { BufferPool } from '../src/buffer-pool.js';
import { readParts } from '../src/parts.js';
import { promptYoungGc } from '../src/young-gc.js';

const MiB = 1024 * 1024;
const CHUNK = 64 * 1024;

/** This process' young-generation GCs while `run` runs (GC entries reach observers a few event-loop turns later). */
async function youngGcsDuring(run: () => Promise<void>): Promise<number> {
  let count = 0;
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if ((entry.detail as { kind?: number } | undefined)?.kind === constants.NODE_PERFORMANCE_GC_MINOR) count++;
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  try {
    await run();
    for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setImmediate(resolve));
  } finally {
    observer.disconnect();
  }
  return count;
}

/** `total` bytes in fresh 64 KiB Buffers, as a file or socket stream hands them over; byte i is i % 251. */
async function* freshChunks(total: number): AsyncGenerator<Buffer> {
  for (let offset = 0; offset < total; offset += CHUNK) {
    const chunk = Buffer.allocUnsafe(CHUNK);
    for (let i = 0; i < CHUNK; i += 4096) chunk[i] = (offset + i) % 251;
    yield chunk;
  }
}

describe('young GC prompts (young-gc.ts)', () => {
  it('allocates 32 MiB that never become resident', () => {
    const before = process.memoryUsage.rss();
    const untouched = new ArrayBuffer(32 * MiB); // what promptYoungGc allocates and drops
    const grown = process.memoryUsage.rss() - before;
    expect(untouched.byteLength).toBe(32 * MiB);
    expect(grown, 'RSS growth from the untouched buffer').toBeLessThan(4 * MiB);
    expect(() => promptYoungGc()).not.toThrow();
  });

  it('cutting 32 MiB into 8 MiB parts runs a young GC per quarter part, the bytes intact', async () => {
    const total = 32 * MiB;
    // The same chunks copied into one buffer without the prompts: what V8 does on its own.
    const target = Buffer.allocUnsafe(total);
    const unprompted = await youngGcsDuring(async () => {
      let at = 0;
      for await (const chunk of freshChunks(total)) at += chunk.copy(target, at);
    });
    const pool = new BufferPool(64 * MiB);
    const lengths: number[] = [];
    let mismatches = 0;
    const prompted = await youngGcsDuring(async () => {
      let offset = 0;
      for await (const part of readParts(freshChunks(total), () => 8 * MiB, pool)) {
        lengths.push(part.length);
        for (let i = 0; i < part.length; i += 4096) if (part[i] !== (offset + i) % 251) mismatches++;
        offset += part.length;
        pool.give(part);
      }
    });
    expect(lengths).toEqual([8 * MiB, 8 * MiB, 8 * MiB, 8 * MiB]);
    expect(mismatches).toBe(0);
    // 16 prompts (one per 2 MiB copied); the last may find no allocation after it to run at. V8's own young GCs
    // (2–3 copying alone) are not added on top: a prompted GC resets the count that would have triggered them, so
    // the difference can fall below 12 (11 seen in CI) while the prompts work; without them it stays near 0.
    expect(prompted, `young GCs: ${prompted} cutting parts, ${unprompted} copying alone`).toBeGreaterThanOrEqual(
      Math.max(12, unprompted + 8),
    );
  });
});
