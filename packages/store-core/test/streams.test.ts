import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { isAttError, meter, readAll, resolveRange, toReadable } from '../src/index.js';

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'resolved';
  } catch (err) {
    return isAttError(err) ? err.code : String(err);
  }
}

async function* parts(...values: string[]): AsyncGenerator<Uint8Array> {
  for (const value of values) yield Buffer.from(value);
}

describe('meter', () => {
  it('passes bytes through unchanged, charging each chunk', async () => {
    const charged: number[] = [];
    const out = await readAll(meter(parts('ab', '', 'cde'), { onChunk: (n) => void charged.push(n) }));
    expect(out.toString()).toBe('abcde');
    expect(charged).toEqual([2, 3]);
  });

  it('accepts Node Readables, web streams and string chunks', async () => {
    expect((await readAll(meter(Readable.from(['x', 'y'])))).toString()).toBe('xy');
    const web = new Blob(['web body']).stream() as ReadableStream<Uint8Array>;
    expect((await readAll(meter(web))).toString()).toBe('web body');
  });

  it('enforces a declared size in both directions', async () => {
    expect(await codeOf(readAll(meter(parts('abc'), { expectedSize: 2 })))).toBe('SIZE_MISMATCH');
    expect(await codeOf(readAll(meter(parts('abc'), { expectedSize: 4 })))).toBe('SIZE_MISMATCH');
    expect((await readAll(meter(parts('abc'), { expectedSize: 3 }))).length).toBe(3);
  });

  it('stops at the first refused chunk and closes the source', async () => {
    let closed = false;
    let pulled = 0;
    async function* source() {
      try {
        for (let i = 0; i < 100; i++) {
          pulled += 1;
          yield Buffer.alloc(10);
        }
      } finally {
        closed = true;
      }
    }
    let total = 0;
    const refuse = (n: number) => {
      if (total + n > 25) throw new Error('over');
      total += n;
    };
    await expect(readAll(meter(source(), { onChunk: refuse }))).rejects.toThrow('over');
    expect(pulled).toBe(3);
    await new Promise((resolve) => setImmediate(resolve));
    expect(closed).toBe(true);
  });

  it('ends with ABORTED when the signal aborts, even while the source is stalled', async () => {
    const controller = new AbortController();
    async function* stalled() {
      yield Buffer.from('x');
      controller.abort(new Error('client gone'));
      await new Promise(() => {});
    }
    const out: Uint8Array[] = [];
    const run = (async () => {
      for await (const chunk of meter(stalled(), { signal: controller.signal })) out.push(chunk);
    })();
    expect(await codeOf(run)).toBe('ABORTED');
    expect(await codeOf(readAll(meter(parts('a'), { signal: AbortSignal.abort() })))).toBe('ABORTED');
  });

  it('answers the total when done, waits for beforeEnd first, and stays done', async () => {
    let ended = false;
    const body = meter(parts('ab', 'c'), {
      beforeEnd: async () => {
        await new Promise((resolve) => setImmediate(resolve));
        ended = true;
      },
    });
    expect((await body.next()).value).toEqual(Buffer.from('ab'));
    expect((await body.next()).value).toEqual(Buffer.from('c'));
    const last = await body.next();
    expect(last, 'the end carries the byte count, after beforeEnd settled').toEqual({ done: true, value: 3 });
    expect(ended).toBe(true);
    expect((await body.next()).done, 'a finished body stays finished').toBe(true);
  });

  it('closes the source when its consumer stops early', async () => {
    let closed = false;
    async function* endless() {
      try {
        for (;;) yield Buffer.from('x');
      } finally {
        closed = true;
      }
    }
    for await (const _chunk of meter(endless(), { signal: new AbortController().signal })) break;
    await new Promise((resolve) => setImmediate(resolve));
    expect(closed, 'breaking out of the loop must end the source').toBe(true);
  });

  it('propagates errors of the source unchanged', async () => {
    const boom = new Error('source failed');
    async function* failing() {
      yield Buffer.from('x');
      throw boom;
    }
    await expect(readAll(meter(failing()))).rejects.toBe(boom);
  });
});

describe('resolveRange and toReadable', () => {
  it('resolves inclusive ranges and rejects unsatisfiable ones', () => {
    expect(resolveRange({ start: 0, end: 0 }, 10)).toEqual({ start: 0, end: 0 });
    expect(resolveRange({ start: 3 }, 10)).toEqual({ start: 3, end: 9 });
    expect(resolveRange({ start: 3, end: 100 }, 10)).toEqual({ start: 3, end: 9 });
    for (const [range, size] of [
      [{ start: 10 }, 10],
      [{ start: 0 }, 0],
      [{ start: 5, end: 4 }, 10],
      [{ start: -1 }, 10],
      [{ start: 1.5 }, 10],
    ] as const) {
      expect(() => resolveRange(range, size)).toThrow(expect.objectContaining({ code: 'RANGE_NOT_SATISFIABLE' }));
    }
  });

  it('turns any byte iterable into a Node Readable', async () => {
    const readable = toReadable(parts('one', 'two'));
    expect(readable).toBeInstanceOf(Readable);
    expect((await readAll(readable)).toString()).toBe('onetwo');
    const existing = Readable.from([Buffer.from('z')]);
    expect(toReadable(existing)).toBe(existing);
  });
});
