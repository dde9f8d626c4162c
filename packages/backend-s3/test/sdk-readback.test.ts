// What other tools see of objects att writes: read back through @aws-sdk/client-s3 (HeadObject), on Swift and
// fauxqs. An ASCII filename is shown as it is, dates are ISO-8601, and an object written by the SDK in the older
// att format still reads back through the Store with the same facts.

import { createStore } from '@att/store-core';
import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { s3Backend } from '../src/index.js';
import { freshClient } from './helpers/clients.js';
import { s3Servers, sdkClient } from './support/servers.js';

async function* text(value: string) {
  yield new TextEncoder().encode(value);
}

describe.each(s3Servers().map((s) => [s.name, s] as const))('metadata as other tools read it (%s)', (_name, server) => {
  it('the SDK shows the filename verbatim and att-expires as an ISO-8601 date', async () => {
    const { bucket, client } = await freshClient(server, 'sdk-readback');
    const store = createStore({ backend: s3Backend(client) });
    const expiresAt = new Date('2031-05-06T07:08:09.010Z');
    await store.write('doc', text('hello'), {
      filename: 'Quarterly report (v2).pdf',
      expiresAt,
      contentType: 'application/pdf',
    });
    const head = await sdkClient(server).send(new HeadObjectCommand({ Bucket: bucket, Key: 'doc' }));
    expect(head.Metadata?.['att-filename']).toBe('Quarterly report (v2).pdf');
    expect(head.Metadata?.['att-expires']).toBe('2031-05-06T07:08:09.010Z');
    expect(
      Number.isNaN(Date.parse(head.Metadata?.['att-created'] ?? '')),
      'att-created is a date the SDK user can parse',
    ).toBe(false);
    expect(head.ContentType).toBe('application/pdf');
    await client.close();
  });

  it('an object in the older format (written by the SDK) reads back through the Store', async () => {
    const { bucket, client } = await freshClient(server, 'sdk-oldformat');
    await sdkClient(server).send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: 'old',
        Body: 'old bytes',
        ContentType: 'text/plain',
        Metadata: {
          'att-filename': 'r%C3%A9sum%C3%A9%20(1).txt',
          'att-created': '1700000000000',
          'att-expires': '1999999999000',
        },
      }),
    );
    const store = createStore({ backend: s3Backend(client) });
    const att = await store.stat('old');
    expect(att.filename).toBe('résumé (1).txt');
    expect(att.size).toBe(9);
    expect(att.expiresAt?.getTime()).toBe(1_999_999_999_000);
    expect(att.createdAt.getTime()).toBe(1_700_000_000_000);
    await client.close();
  });
});
