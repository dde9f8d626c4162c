// The queue between the multipart parser and the store: bounded (says when to pause and when to resume),
// counts each byte the store takes once, and fails or drops cleanly.
import { describe, expect, it } from 'vitest';
import { PartReader } from '../src/part-reader.js';

function reader(max: number) {
  const log = { taken: 0, drained: 0 };
  const part = new PartReader(max, {
    taken: (bytes) => {
      log.taken += bytes;
    },
    drained: () => {
      log.drained++;
    },
  });
  return { part, log };
}

const bytes = (n: number, fill = 1) => new Uint8Array(n).fill(fill);

describe('PartReader', () => {
  it('is full past its bound and reports drained once the store took it down to half the bound', async () => {
    const { part, log } = reader(100);
    expect(part.push(bytes(30)), '30 of 100 queued').toBe(false);
    expect(part.push(bytes(30)), '60 of 100 queued').toBe(false);
    expect(part.push(bytes(60)), '120 of 100 queued').toBe(true);
    expect(part.full).toBe(true);
    await part.next();
    expect([part.full, log.drained], '90 queued: under the bound, still paused').toEqual([false, 0]);
    expect(part.push(bytes(5)), 'a chunk already on its way while paused').toBe(true);
    await part.next();
    expect(log, '65 queued: still over half the bound').toEqual({ taken: 60, drained: 0 });
    await part.next();
    expect(log, '5 queued: drained').toEqual({ taken: 120, drained: 1 });
    expect(part.push(bytes(10)), 'flowing again').toBe(false);
  });

  it('a waiting read gets the next chunk directly; end finishes the reads after the queue', async () => {
    const { part, log } = reader(100);
    const waiting = part.next();
    part.push(bytes(5, 7));
    expect(await waiting).toEqual({ done: false, value: bytes(5, 7) });
    part.push(bytes(3));
    part.end();
    expect((await part.next()).value?.length).toBe(3);
    expect(await part.next()).toEqual({ done: true, value: undefined });
    expect(part.push(bytes(9)), 'bytes after the end are dropped').toBe(false);
    expect(log.taken).toBe(8);
  });

  it('replayed chunks are read again first and not counted twice', async () => {
    const { part, log } = reader(1000);
    part.push(bytes(10, 1));
    part.push(bytes(20, 2));
    part.end();
    const first = (await part.next()).value as Uint8Array;
    part.replay([first]);
    const all: number[] = [];
    for await (const chunk of part) all.push(chunk.length, chunk[0] as number);
    expect(all).toEqual([10, 1, 20, 2]);
    expect(log.taken, 'bytes the store took, each once').toBe(30);
  });

  it('fail rejects the waiting and later reads and drops the queue (the request may resume)', async () => {
    const { part, log } = reader(10);
    part.push(bytes(50));
    const boom = new Error('client went away');
    part.fail(boom);
    expect(log.drained, 'a full queue dropped lets the request flow').toBe(1);
    await expect(part.next()).rejects.toBe(boom);
    const { part: idle } = reader(10);
    const waiting = idle.next();
    idle.fail(boom);
    await expect(waiting).rejects.toBe(boom);
  });

  it('return drops what is queued and whatever is pushed after it', async () => {
    const { part, log } = reader(10);
    part.push(bytes(50));
    await part.return();
    expect(log).toEqual({ taken: 0, drained: 1 });
    expect(part.push(bytes(50))).toBe(false);
    expect(await part.next()).toEqual({ done: true, value: undefined });
  });
});
