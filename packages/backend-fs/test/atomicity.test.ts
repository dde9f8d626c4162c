import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fsBackend } from '../src/index.js';
import { chunks, codeOf, readText, tempDir } from './support.js';

const tmpFiles = (dir: string) =>
  existsSync(path.join(dir, '.att-tmp')) ? readdirSync(path.join(dir, '.att-tmp')) : [];
const sidecars = (dir: string) =>
  existsSync(path.join(dir, '.att-meta')) ? readdirSync(path.join(dir, '.att-meta')) : [];

/** A body that sends `first`, then waits until `release()` and sends `rest`. */
function gatedBody(first: string, rest: string) {
  let release!: () => void;
  let sent!: () => void;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const firstSent = new Promise<void>((resolve) => {
    sent = resolve;
  });
  async function* body() {
    yield Buffer.from(first);
    sent();
    await gate;
    yield Buffer.from(rest);
  }
  return { body: body(), release, firstSent };
}

describe('fs backend atomicity', () => {
  it('readers see the old object in full while an overwrite is in flight, then the new one', async () => {
    const dir = tempDir();
    const backend = fsBackend({ dir });
    await backend.put('doc', chunks('old content'), { contentType: 'text/plain', metadata: { v: '1' } });
    const gated = gatedBody('new ', 'content, longer');
    const put = backend.put('doc', gated.body, { contentType: 'text/markdown', metadata: { v: '2' } });
    await gated.firstSent;
    const during = await backend.get('doc');
    expect(await readText(during.body)).toBe('old content');
    expect(during.info.metadata).toEqual({ v: '1' });
    const listed = [];
    for await (const info of backend.list()) listed.push(info.key);
    expect(listed, 'temp files must never be listed').toEqual(['doc']);
    expect(tmpFiles(dir).length).toBe(1);
    gated.release();
    await put;
    const after = await backend.get('doc');
    expect(await readText(after.body)).toBe('new content, longer');
    expect([after.info.contentType, after.info.metadata]).toEqual(['text/markdown', { v: '2' }]);
    expect(tmpFiles(dir)).toEqual([]);
    expect(sidecars(dir), 'metadata lives in the data file: no sidecar').toEqual([]);
    const onDisk = readFileSync(path.join(dir, 'doc'));
    expect(onDisk.subarray(0, 19).toString(), 'the object bytes come first in the file').toBe('new content, longer');
    expect((await backend.head('doc')).size, 'the trailer is not part of the object').toBe(19);
  });

  it('removes temp files at once when a put fails, aborts or mismatches its size', async () => {
    const dir = tempDir();
    const backend = fsBackend({ dir });
    async function* failing() {
      yield Buffer.alloc(70_000);
      throw new Error('boom');
    }
    expect(await codeOf(backend.put('f', failing()))).toContain('boom');
    expect(tmpFiles(dir)).toEqual([]);
    const controller = new AbortController();
    const gated = gatedBody('abc', 'def');
    const aborted = backend.put('a', gated.body, { signal: controller.signal });
    await gated.firstSent;
    controller.abort();
    expect(await codeOf(aborted)).toBe('ABORTED');
    expect(tmpFiles(dir)).toEqual([]);
    expect(await codeOf(backend.put('m', chunks('12345'), { size: 4 }))).toBe('SIZE_MISMATCH');
    expect(tmpFiles(dir)).toEqual([]);
    expect(readdirSync(dir).sort()).toEqual(['.att-tmp']);
  });

  it('deletes objects and prunes folders left empty', async () => {
    const dir = tempDir();
    const backend = fsBackend({ dir, fsync: false });
    await backend.put('x/y/z', chunks('1'), { metadata: { a: 'b' } });
    await backend.put('x/keep', chunks('2'));
    await backend.delete(['x/y/z']);
    expect(existsSync(path.join(dir, 'x', 'y'))).toBe(false);
    expect(existsSync(path.join(dir, 'x', 'keep'))).toBe(true);
    await backend.delete(['x/keep']);
    expect(readdirSync(dir).sort()).toEqual(['.att-tmp']);
  });

  it('objects from before trailers (plain file + inode-named sidecar) are still read, listed and deleted', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'legacy'), 'legacy bytes');
    mkdirSync(path.join(dir, '.att-meta'));
    const sidecar = { key: 'legacy', contentType: 'text/plain', metadata: { a: 'b' } };
    writeFileSync(
      path.join(dir, '.att-meta', `${statSync(path.join(dir, 'legacy')).ino}.json`),
      JSON.stringify(sidecar),
    );
    const backend = fsBackend({ dir, fsync: false });
    expect(await backend.head('legacy')).toMatchObject({ size: 12, contentType: 'text/plain', metadata: { a: 'b' } });
    expect(await readText((await backend.get('legacy')).body)).toBe('legacy bytes');
    const listed = [];
    for await (const info of backend.list()) listed.push([info.key, info.size]);
    expect(listed).toEqual([['legacy', 12]]);
    await backend.delete(['legacy']);
    expect(sidecars(dir)).toEqual([]);
  });

  it('a file whose own bytes end like a trailer for another key is read as plain bytes', async () => {
    const dir = tempDir();
    const backend = fsBackend({ dir, fsync: false });
    await backend.put('forger', chunks('x'), { contentType: 'text/html' });
    const forged = readFileSync(path.join(dir, 'forger'));
    // Another object whose content is a copy of that file, trailer and all: its own trailer comes after.
    async function* copy() {
      yield forged;
    }
    await backend.put('victim', copy(), { contentType: 'application/octet-stream' });
    const head = await backend.head('victim');
    expect([head.size, head.contentType]).toEqual([forged.length, 'application/octet-stream']);
    const parts: Buffer[] = [];
    for await (const chunk of (await backend.get('victim')).body) parts.push(Buffer.from(chunk));
    expect(Buffer.concat(parts).equals(forged), 'the copied trailer is object data').toBe(true);
  });

  it('cleanupIncomplete removes only temp files older than the cutoff', async () => {
    const dir = tempDir();
    const backend = fsBackend({ dir, fsync: false });
    expect(await backend.cleanupIncomplete(new Date())).toBe(0);
    await backend.put('done', chunks('complete'));
    const stale = path.join(dir, '.att-tmp', 'stale.data');
    const fresh = path.join(dir, '.att-tmp', 'fresh.data');
    writeFileSync(stale, 'partial');
    writeFileSync(fresh, 'partial');
    const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
    utimesSync(stale, twoHoursAgo, twoHoursAgo);
    expect(await backend.cleanupIncomplete(new Date(Date.now() - 3600_000))).toBe(1);
    expect(tmpFiles(dir)).toEqual(['fresh.data']);
    expect((await backend.head('done')).size).toBe(8);
  });

  it('does not list files no key could produce', async () => {
    const dir = tempDir();
    const backend = fsBackend({ dir, fsync: false });
    await backend.put('real', chunks('1'));
    writeFileSync(path.join(dir, '.att-stray'), 'x');
    writeFileSync(path.join(dir, 'bad%2e%2e'), 'x');
    const keys = [];
    for await (const info of backend.list()) keys.push(info.key);
    expect(keys).toEqual(['real']);
  });

  it('is created lazily: constructing touches nothing, the first write makes the folder private', async () => {
    const dir = path.join(tempDir(), 'later');
    const backend = fsBackend({ dir });
    expect(existsSync(dir)).toBe(false);
    expect(await codeOf(backend.head('x'))).toBe('NOT_FOUND');
    const listed = [];
    for await (const info of backend.list()) listed.push(info);
    expect(listed).toEqual([]);
    await backend.put('x', chunks('1'));
    if (process.platform !== 'win32') expect(statSync(dir).mode & 0o777).toBe(0o700);
  });

  it('serves many concurrent range reads of one object with positioned reads', async () => {
    const backend = fsBackend({ dir: tempDir(), fsync: false });
    const data = Buffer.from(Array.from({ length: 100_000 }, (_, i) => i % 251));
    await backend.put('big', chunks(data));
    const ranges = Array.from({ length: 40 }, (_, i) => ({ start: i * 2000, end: i * 2000 + 1999 + (i % 3) }));
    const results = await Promise.all(
      ranges.map(async (range) => {
        const { body } = await backend.get('big', { range });
        const parts: Buffer[] = [];
        for await (const chunk of body) parts.push(chunk as Buffer);
        return Buffer.concat(parts);
      }),
    );
    results.forEach((got, i) => {
      expect(got.equals(data.subarray(ranges[i]!.start, ranges[i]!.end + 1)), `range ${i}`).toBe(true);
    });
  });
});

describe('fs backend recovery', () => {
  it('recreates its folders when they were removed under it', async () => {
    const dir = tempDir();
    const backend = fsBackend({ dir, fsync: false });
    await backend.put('one', chunks('1'));
    rmSync(path.join(dir, '.att-tmp'), { recursive: true, force: true });
    await backend.put('two', chunks('22'), { contentType: 'text/plain' });
    expect(await backend.head('two')).toMatchObject({ size: 2, contentType: 'text/plain' });
  });
});
