import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readAhead } from '../src/read-ahead.js';

function chunks(n: number, size: number, state: { pulled: number }, failAt = -1): Readable {
  async function* gen() {
    for (let i = 0; i < n; i++) {
      if (i === failAt) throw new Error('source broke');
      state.pulled += size;
      yield Buffer.alloc(size, i % 251);
    }
  }
  return Readable.from(gen(), { objectMode: false });
}

describe('readAhead', () => {
  it('passes every chunk through in order', async () => {
    const state = { pulled: 0 };
    const out: Uint8Array[] = [];
    // An asynchronous inspector (a shared limiter store) pauses the stream per chunk; order must hold.
    const inspect = () => new Promise<void>((r) => setImmediate(r));
    for await (const chunk of readAhead(chunks(100, 1000, state), 10_000, inspect)) {
      out.push(chunk);
      await new Promise((r) => setTimeout(r, 1));
    }
    const all = Buffer.concat(out);
    expect(all.length).toBe(100_000);
    for (let i = 0; i < 100; i++) expect(all[i * 1000]).toBe(i % 251);
    expect(out.length).toBe(100);
  });

  it('never reads more than its bound ahead of a stalled consumer', async () => {
    const state = { pulled: 0 };
    const it = readAhead(chunks(1000, 1000, state), 8_000, () => {});
    await it.next();
    await new Promise((r) => setTimeout(r, 50));
    // The queue bound plus the stream's own 16 KiB buffer and one chunk in hand.
    expect(state.pulled).toBeLessThanOrEqual(8_000 + 16 * 1024 + 2_000);
    await it.return(undefined);
  });

  it('raises the source error and the inspector error after the bytes before them', async () => {
    const state = { pulled: 0 };
    const got: number[] = [];
    await expect(
      (async () => {
        for await (const c of readAhead(chunks(10, 10, state, 5), 1000, () => {})) {
          got.push(c.length);
        }
      })(),
    ).rejects.toThrow('source broke');
    expect(got.reduce((a, b) => a + b, 0)).toBe(50);

    let seen = 0;
    const inspect = (c: Uint8Array) => {
      seen += c.length;
      if (seen > 30) throw new Error('limit');
    };
    await expect(
      (async () => {
        for await (const _ of readAhead(chunks(10, 10, { pulled: 0 }), 1000, inspect)) {
          // consume
        }
      })(),
    ).rejects.toThrow('limit');
  });
});
