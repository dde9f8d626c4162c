// Keys XML cannot carry: listings ask for url-encoded keys and decode them, putObject refuses to create such keys,
// and a batch delete never fails whole because one of them is in it.
import { createStore, isAttError } from '@att/store-core';
import { describe, expect, it } from 'vitest';
import { s3Backend } from '../src/index.js';
import { freshClient } from './helpers/clients.js';
import { listAllKeys, rawS3, s3Server, s3Servers } from './support/servers.js';

const CONTROL = 'ctl\u0001key';
const PLAIN_ODD = ['a b', 'a+b', 'a%2Fb', '100%', 'é/ü', 'a&b<c>', '~!*()\'"'];

describe.each(s3Servers().map((s) => [s.name, s] as const))('odd keys on %s', (_name, server) => {
  it('lists keys with spaces, +, %, non-ASCII and XML specials exactly as they were written', async () => {
    const { client, bucket } = await freshClient(server, 'odd-list', { prefix: 'p' });
    for (const key of PLAIN_ODD) await client.putObject(key, key);
    const listed: string[] = [];
    for await (const o of client.listObjects()) listed.push(o.key);
    expect(listed.sort()).toEqual([...PLAIN_ODD].sort());
    await client.deleteObjects(PLAIN_ODD);
    expect(await listAllKeys(server, bucket)).toEqual([]);
    await client.close();
  });

  it('refuses keys that no DeleteObjects document can carry, with INVALID_ID, storing nothing', async () => {
    const { client, bucket } = await freshClient(server, 'odd-refuse');
    for (const key of [
      CONTROL,
      'nul\u0000',
      'x\u001f',
      'cr\rlf',
      'tab\t',
      'ff\uffff',
      'k'.repeat(1025),
      'é'.repeat(513),
    ]) {
      const err = await client.putObject(key, 'x').catch((e) => e);
      expect(isAttError(err, 'INVALID_ID'), `${JSON.stringify(key.slice(0, 20))}: ${String(err)}`).toBe(true);
    }
    expect(await listAllKeys(server, bucket)).toEqual([]);
    await client.close();
  });
});

describe('a control-character key written by someone else (swift)', () => {
  const server = s3Server('swift');

  it('is listed (decoded), deleted with its batch, and does not break a Store’s sync', async () => {
    const { client, bucket } = await freshClient(server, 'odd-swift', { prefix: 'p' });
    const put = await rawS3(server, { method: 'PUT', bucket, key: `p/${CONTROL}`, body: 'odd' });
    expect(put.status, 'the server takes the key').toBe(200);
    await client.putObject('normal', 'hello');
    const listed: string[] = [];
    for await (const o of client.listObjects()) listed.push(o.key);
    expect(listed.sort()).toEqual(['normal', CONTROL].sort());

    const store = createStore({ backend: s3Backend(client), idPattern: /^[\s\S]+$/ });
    const synced = await store.sync();
    expect(synced).toEqual({ objects: 2, bytes: 8 });

    await client.deleteObjects([CONTROL, 'normal']);
    expect(await listAllKeys(server, bucket)).toEqual([]);
    await store.close();
    await client.close();
  });
});
