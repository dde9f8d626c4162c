// What a tus upload is served and stored with: the Content-Disposition an ordinary upload of the same name gets
// (the middleware's GET) and its `filetype`, and — on a backend that stores headers with objects (S3) — the same
// values on the object itself, so a presigned or CDN download names the file alike. Two sizes: one that publishes
// with a single PUT, one that goes up as a multipart upload over several PATCHes.
import { randomBytes } from 'node:crypto';
import type { Backend } from '@att/store-core';
import { afterAll, describe, expect, it } from 'vitest';
import { expectSame, startServer, type TusServer, upload } from './harness.js';

const MiB = 1024 * 1024;

export interface StoredHeaders {
  contentType?: string | undefined;
  contentDisposition?: string | undefined;
}

export interface StoredHeadersTarget {
  backend: () => Backend | Promise<Backend>;
  /** The headers stored with attachment `id`'s object, read by an independent client; absent: none are stored. */
  readObject?: (id: string) => Promise<StoredHeaders>;
}

const FILENAME = 'Relevé (été) "final".txt';
const TYPE = 'text/plain';

/** The GET's Content-Type and Content-Disposition of attachment `id`, and its bytes. */
async function served(server: TusServer, id: string) {
  const res = await fetch(`${server.base}/${id}`);
  expect(res.status, `GET ${id}`).toBe(200);
  return {
    contentType: res.headers.get('content-type') ?? undefined,
    contentDisposition: res.headers.get('content-disposition') ?? undefined,
    body: Buffer.from(await res.arrayBuffer()),
  };
}

export function describeTusStoredHeaders(name: string, target: StoredHeadersTarget): void {
  describe(`tus uploads' stored headers on ${name}`, () => {
    let server: TusServer | undefined;
    afterAll(async () => {
      await server?.close();
    });

    for (const [label, size, chunkSize] of [
      ['1 KiB (one PUT at completion)', 1024, undefined],
      ['11 MiB in 3 MiB PATCHes (multipart)', 11 * MiB, 3 * MiB],
    ] as const) {
      it(`${label}: served like an ordinary upload; stored with the same headers`, { timeout: 180_000 }, async () => {
        server ??= await startServer(await target.backend());
        const data = randomBytes(size);
        const sent = await upload(data, {
          endpoint: server.endpoint,
          ...(chunkSize ? { chunkSize } : {}),
          metadata: { filename: FILENAME, filetype: TYPE },
        });
        const viaTus = await served(server, sent.url.split('/').pop() as string);
        expectSame(viaTus.body, data, label);

        const posted = await fetch(`${server.base}/?filename=${encodeURIComponent(FILENAME)}`, {
          method: 'POST',
          headers: { 'content-type': TYPE },
          body: 'plain text, as the type says',
        });
        expect(posted.status, 'the ordinary upload').toBe(201);
        const ordinary = await served(server, ((await posted.json()) as { id: string }).id);
        // (Ordinary uploads take their type from the bytes, tus uploads from `filetype`: only the names compare.)
        expect(viaTus.contentDisposition, 'the disposition an ordinary upload of the same name gets').toBe(
          ordinary.contentDisposition,
        );
        expect(viaTus.contentType, 'filetype became the content type').toBe(TYPE);
        expect(viaTus.contentDisposition).toContain(
          "filename*=UTF-8''Relev%C3%A9%20%28%C3%A9t%C3%A9%29%20%22final%22.txt",
        );

        if (target.readObject) {
          const stored = await target.readObject(sent.url.split('/').pop() as string);
          expect(stored, 'the object stores what the middleware serves').toEqual({
            contentType: viaTus.contentType,
            contentDisposition: viaTus.contentDisposition,
          });
        }
      });
    }
  });
}
