import { describe, expect, it } from 'vitest';
import { ChunkQueue } from '../src/chunk-queue.js';

const chunk = (n: number, fill: number) => new Uint8Array(n).fill(fill);

describe('ChunkQueue', () => {
  it('hands chunks out in order, counting their bytes, with put-back chunks first', () => {
    const queue = new ChunkQueue();
    expect(queue.isEmpty).toBe(true);
    expect(queue.shift()).toBeUndefined();
    queue.push(chunk(3, 1));
    queue.push(chunk(5, 2));
    expect(queue.bytes).toBe(8);
    const first = queue.shift() as Uint8Array;
    expect([first.length, first[0]]).toEqual([3, 1]);
    queue.unshift([first, chunk(1, 9)]);
    expect(queue.bytes).toBe(9);
    expect([1, 9, 2].map(() => (queue.shift() as Uint8Array)[0])).toEqual([1, 9, 2]);
    expect(queue.isEmpty).toBe(true);
    expect(queue.bytes).toBe(0);
  });

  it('keeps order and count across the cut of its taken front, and clears', () => {
    const queue = new ChunkQueue();
    for (let i = 0; i < 200; i++) queue.push(chunk(2, i));
    const seen: number[] = [];
    for (let i = 0; i < 150; i++) {
      seen.push((queue.shift() as Uint8Array)[0] as number);
      if (i % 3 === 0) queue.push(chunk(2, 200 + i));
    }
    expect(seen).toEqual(Array.from({ length: 150 }, (_, i) => i));
    expect(queue.bytes).toBe((200 - 150 + 50) * 2);
    queue.clear();
    expect([queue.isEmpty, queue.bytes, queue.shift()]).toEqual([true, 0, undefined]);
  });
});
