// The tus scenarios every backend runs with the real tus-js-client against a real Express server on loopback:
// sizes around S3's 5 MiB part boundary, chunk sizes, broken connections, restarts, a second instance, deferred
// length, termination, expiry, limits, concurrent PATCHes and checksums. Downloads are compared byte for byte.
// backend-s3's tests run the same scenarios on Swift and fauxqs (test/tus.test.ts there).
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import { Readable } from 'node:stream';
import { type Backend, isAttError } from '@att/store-core';
import * as tus from 'tus-js-client';
import { afterAll, describe, expect, it } from 'vitest';
import { download, expectSame, startServer, type TusServer, upload } from './harness.js';

const KiB = 1024;
const MiB = 1024 * KiB;
const TUS = { 'Tus-Resumable': '1.0.0' };
/** Per test: big bodies on a busy 2-core machine with fsync per PATCH, or a slow S3. */
const timeout = 180_000;

export interface TusTarget {
  /** A backend instance on the target's storage; called again, it must see the same storage (a restart). */
  backend: () => Backend | Promise<Backend>;
  /** Run the 64 MiB uploads (three chunk sizes). Default true. */
  big?: boolean;
  /** Size of the upload sent in 256 KiB chunks (1 PATCH each). Default 64 MiB; slow servers may ask for less. */
  smallChunksSize?: number;
}

async function headOffset(url: string): Promise<number> {
  const res = await fetch(url, { method: 'HEAD', headers: TUS });
  expect(res.status, 'HEAD of a pending upload').toBe(200);
  return Number(res.headers.get('upload-offset'));
}

async function expectUploadGone(backend: Backend, url: string, what: string): Promise<void> {
  const id = url.split('/').pop() as string;
  const status = await backend.resumable?.status(id).then(
    () => 'present',
    (err) => (isAttError(err, 'NOT_FOUND') ? 'gone' : String(err)),
  );
  expect(status, `${what}: the upload is still in the backend`).toBe('gone');
  const object = await backend.head(id).then(
    () => 'present',
    (err) => (isAttError(err, 'NOT_FOUND') ? 'gone' : String(err)),
  );
  expect(object, `${what}: an object exists under the upload's id`).toBe('gone');
}

export function describeTusScenarios(name: string, target: TusTarget): void {
  describe(`tus on ${name}`, () => {
    let shared: TusServer | undefined;
    const server = async () => {
      shared ??= await startServer(await target.backend());
      return shared;
    };
    afterAll(async () => {
      await shared?.close();
    });

    const sizes: Array<[string, number, number | undefined]> = [
      ['0 B', 0, undefined],
      ['1 B', 1, undefined],
      ['exactly one 5 MiB part, in 1 MiB chunks', 5 * MiB, MiB],
      ['5 MiB − 1 in one PATCH', 5 * MiB - 1, undefined],
      ['5 MiB + 1 in 2 MiB chunks', 5 * MiB + 1, 2 * MiB],
    ];
    if (target.big ?? true) {
      const small = target.smallChunksSize ?? 64 * MiB;
      sizes.push([`${small / MiB} MiB in 256 KiB chunks`, small, 256 * KiB]);
      sizes.push(['64 MiB in 5 MiB chunks', 64 * MiB, 5 * MiB]);
      sizes.push(['64 MiB in 12 MiB chunks', 64 * MiB, 12 * MiB]);
    }
    for (const [label, size, chunkSize] of sizes) {
      it(`uploads ${label}; the attachment downloads byte for byte with its name and type`, { timeout }, async () => {
        const s = await server();
        const data = randomBytes(size);
        const sent = await upload(data, {
          endpoint: s.endpoint,
          ...(chunkSize ? { chunkSize } : {}),
          metadata: { filename: 'résumé.bin', filetype: 'application/x-tus-test' },
        });
        expect(sent.url.startsWith(`${s.endpoint}/`), `Location ${sent.url} is not under the endpoint`).toBe(true);
        const id = sent.url.split('/').pop() as string;
        const res = await fetch(`${s.base}/${id}`);
        expect(res.headers.get('content-type'), 'filetype did not become the content type').toBe(
          'application/x-tus-test',
        );
        expect(res.headers.get('content-disposition') ?? '', 'filename lost').toContain("UTF-8''r%C3%A9sum%C3%A9.bin");
        expectSame(Buffer.from(await res.arrayBuffer()), data, label);
        const patches = sent.requests.filter((r) => r.method === 'PATCH').length;
        const expected = chunkSize ? Math.max(1, Math.ceil(size / chunkSize)) : size === 0 ? 0 : 1;
        expect(patches, `${label}: ${patches} PATCH requests`).toBe(expected);
      });
    }

    it('an upload cut mid-PATCH (socket destroyed) resumes from HEAD and arrives intact', { timeout }, async () => {
      const s = await server();
      const data = randomBytes(12 * MiB);
      const create = await fetch(s.endpoint, {
        method: 'POST',
        headers: { ...TUS, 'Upload-Length': String(data.length), 'Upload-Metadata': 'filename Y3V0LmJpbg==' },
      });
      const url = new URL(create.headers.get('location') as string, s.endpoint).href;
      // A PATCH announcing every byte sends 6 MiB, then its socket is destroyed.
      const { port, pathname } = new URL(url);
      const cut = http.request({
        host: '127.0.0.1',
        port,
        path: pathname,
        method: 'PATCH',
        headers: {
          ...TUS,
          'Upload-Offset': '0',
          'Content-Type': 'application/offset+octet-stream',
          'Content-Length': String(data.length),
        },
      });
      cut.on('error', () => {});
      for (let at = 0; at < 6 * MiB; at += MiB) {
        if (!cut.write(data.subarray(at, at + MiB))) await new Promise((resolve) => cut.once('drain', resolve));
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
      cut.destroy();
      const resumed = await upload(data, { endpoint: s.endpoint, uploadUrl: url });
      // A first try may still see offset 0 (the server is saving the cut PATCH's bytes and answers 423); the
      // PATCH that succeeds must start where those bytes end.
      const offsets = resumed.requests.filter((r) => r.method === 'PATCH').map((r) => Number(r.offset));
      expect(
        Math.max(...offsets),
        `the resumed upload sent everything again (PATCH offsets ${offsets})`,
      ).toBeGreaterThan(0);
      expectSame(await download(s, resumed.url), data, 'resumed upload');
    });

    it('an upload resumes after the server restarts on the same storage', { timeout }, async () => {
      const a = await startServer(await target.backend());
      const data = randomBytes(7 * MiB + 3);
      const first = await upload(data, { endpoint: a.endpoint, chunkSize: 2 * MiB, abortAfter: 3 * MiB });
      await a.close();
      const b = await startServer(await target.backend(), {}, {}, a.port);
      try {
        const offset = await headOffset(first.url);
        expect(offset, 'the restarted server lost the bytes before the cut').toBeGreaterThan(0);
        const resumed = await upload(data, { endpoint: b.endpoint, uploadUrl: first.url, chunkSize: 2 * MiB });
        expect(Number(resumed.requests.find((r) => r.method === 'PATCH')?.offset)).toBe(offset);
        expectSame(await download(b, resumed.url), data, 'upload resumed after a restart');
      } finally {
        await b.close();
      }
    });

    it('an upload started on one instance is finished on another sharing the storage', { timeout }, async () => {
      const a = await server();
      const b = await startServer(await target.backend());
      try {
        const data = randomBytes(6 * MiB + 11);
        const first = await upload(data, { endpoint: a.endpoint, chunkSize: MiB, abortAfter: 2 * MiB });
        const onB = first.url.replace(a.endpoint, b.endpoint);
        const resumed = await upload(data, { endpoint: b.endpoint, uploadUrl: onB, chunkSize: MiB });
        expect(Number(resumed.requests.find((r) => r.method === 'PATCH')?.offset)).toBeGreaterThan(0);
        expectSame(await download(a, resumed.url), data, 'upload finished on a second instance');
      } finally {
        await b.close();
      }
    });

    it('a deferred length (a stream of unknown size) is declared at the end', { timeout }, async () => {
      const s = await server();
      const data = randomBytes(6 * MiB + 5);
      const stream = Readable.from(
        (function* () {
          for (let at = 0; at < data.length; at += 300 * KiB) yield data.subarray(at, at + 300 * KiB);
        })(),
      );
      const sent = await upload(stream, { endpoint: s.endpoint, chunkSize: 2 * MiB, uploadLengthDeferred: true });
      expectSame(await download(s, sent.url), data, 'deferred-length upload');
    });

    it('termination removes the upload at once: HEAD 404, nothing left in the backend', { timeout }, async () => {
      const s = await server();
      const data = randomBytes(4 * MiB);
      const first = await upload(data, { endpoint: s.endpoint, chunkSize: MiB, abortAfter: 2 * MiB });
      await tus.Upload.terminate(first.url, { retryDelays: [0, 50, 100, 200, 400, 800] });
      const res = await fetch(first.url, { method: 'HEAD', headers: TUS });
      expect(res.status, 'HEAD after termination').toBe(404);
      await expectUploadGone(s.backend, first.url, 'terminated upload');
    });

    it('an expired upload answers 404 and is removed; cleanup() removes stalled ones', { timeout }, async () => {
      const s = await startServer(await target.backend(), {}, { staleUploadAge: 1 });
      try {
        const created = async () => {
          const res = await fetch(s.endpoint, { method: 'POST', headers: { ...TUS, 'Upload-Length': '10' } });
          expect(res.status, 'creation').toBe(201);
          return new URL(res.headers.get('location') as string, s.endpoint).href;
        };
        const expired = await created();
        await new Promise((resolve) => setTimeout(resolve, 20));
        const head = await fetch(expired, { method: 'HEAD', headers: TUS });
        expect(head.status, 'HEAD of an expired upload').toBe(404);
        await expectUploadGone(s.backend, expired, 'expired upload after HEAD');
        const stalled = await created();
        await new Promise((resolve) => setTimeout(resolve, 20));
        const result = await s.store.cleanup();
        expect(result.incomplete, 'cleanup() did not count the stalled upload').toBeGreaterThanOrEqual(1);
        await expectUploadGone(s.backend, stalled, 'stalled upload after cleanup()');
      } finally {
        await s.close();
      }
    });

    it('an Upload-Length over the limit is refused with 413 before any byte is sent', { timeout }, async () => {
      const s = await startServer(await target.backend(), { resumable: { maxSize: MiB } });
      try {
        const sent = upload(randomBytes(MiB + 1), { endpoint: s.endpoint, retryDelays: [] });
        const error = (await sent.catch((err) => err)) as tus.DetailedError;
        expect(error.originalResponse?.getStatus(), 'status of an over-limit creation').toBe(413);
        const body = JSON.parse(error.originalResponse?.getBody() ?? '{}');
        expect(body.error?.code, 'att error body').toBe('TOO_LARGE');
        const options = await fetch(s.endpoint, { method: 'OPTIONS' });
        expect(options.headers.get('tus-max-size'), 'Tus-Max-Size').toBe(String(MiB));
      } finally {
        await s.close();
      }
    });

    it('two PATCHes at once on one upload: one writes, the other gets 423; checksums are checked (460)', {
      timeout,
    }, async () => {
      const s = await server();
      const data = randomBytes(256 * KiB);
      const create = await fetch(s.endpoint, {
        method: 'POST',
        headers: { ...TUS, 'Upload-Length': String(data.length) },
      });
      const url = new URL(create.headers.get('location') as string, s.endpoint).href;
      // PATCH A sends half its body and waits, holding the upload.
      const { port, pathname } = new URL(url);
      const patchA = http.request({
        host: '127.0.0.1',
        port,
        path: pathname,
        method: 'PATCH',
        headers: {
          ...TUS,
          'Upload-Offset': '0',
          'Content-Type': 'application/offset+octet-stream',
          'Content-Length': String(128 * KiB),
        },
      });
      const answerA = new Promise<number>((resolve, reject) => {
        patchA.on('response', (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        patchA.on('error', reject);
      });
      patchA.write(data.subarray(0, 64 * KiB));
      // Until A holds the lock, B would be the one to win: retry B while it is not refused (bounded).
      let statusB = 0;
      for (let attempt = 0; attempt < 50 && statusB !== 423; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        const b = await fetch(url, {
          method: 'PATCH',
          headers: { ...TUS, 'Upload-Offset': '0', 'Content-Type': 'application/offset+octet-stream' },
          body: new Uint8Array(0),
        });
        statusB = b.status;
        if (statusB === 423) {
          const body = (await b.json()) as { error?: { code?: string } };
          expect(body.error?.code, 'att error body of a busy upload').toBe('CONFLICT');
        }
      }
      expect(statusB, 'a second PATCH while the first writes').toBe(423);
      patchA.end(data.subarray(64 * KiB, 128 * KiB));
      expect(await answerA, 'the first PATCH').toBe(204);
      expect(await headOffset(url)).toBe(128 * KiB);

      const rest = data.subarray(128 * KiB);
      const patch = (checksum: Buffer, offset: string) =>
        fetch(url, {
          method: 'PATCH',
          headers: {
            ...TUS,
            'Upload-Offset': offset,
            'Content-Type': 'application/offset+octet-stream',
            'Upload-Checksum': `sha1 ${createHash('sha1').update(checksum).digest('base64')}`,
          },
          body: rest,
        });
      const wrongOffset = await patch(rest, '0');
      expect(wrongOffset.status, 'PATCH at a stale offset').toBe(409);
      const bad = await patch(Buffer.from('something else'), String(128 * KiB));
      expect(bad.status, 'PATCH with a wrong checksum').toBe(460);
      expect(await headOffset(url), 'a refused checksum kept bytes').toBe(128 * KiB);
      const good = await patch(rest, String(128 * KiB));
      expect(good.status, 'PATCH with the right checksum').toBe(204);
      expectSame(await download(s, url), data, 'upload after concurrent and checksummed PATCHes');
    });

    it('speaks tus: OPTIONS lists the extensions, a request without Tus-Resumable gets 412', { timeout }, async () => {
      const s = await server();
      const options = await fetch(s.endpoint, { method: 'OPTIONS' });
      expect(options.status).toBe(204);
      expect(options.headers.get('tus-version')).toBe('1.0.0');
      expect(options.headers.get('tus-extension')?.split(',')).toEqual(
        expect.arrayContaining([
          'creation',
          'creation-with-upload',
          'creation-defer-length',
          'termination',
          'expiration',
          'checksum',
        ]),
      );
      const noVersion = await fetch(s.endpoint, { method: 'POST', headers: { 'Upload-Length': '1' } });
      expect(noVersion.status).toBe(412);
      expect(noVersion.headers.get('tus-version')).toBe('1.0.0');
      const unknown = await fetch(`${s.endpoint}/AAAAAAAAAAAAAAAAAAAAAA`, { method: 'HEAD', headers: TUS });
      expect(unknown.status).toBe(404);
      const noLength = await fetch(s.endpoint, { method: 'POST', headers: TUS });
      expect(noLength.status).toBe(400);
      expect(((await noLength.json()) as { error?: { code?: string } }).error?.code).toBe('INVALID_REQUEST');
    });
  });
}
