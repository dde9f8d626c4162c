// Finding 10 (upload memory): an upload holds at most queueSize part buffers. With queueSize parts in flight it
// does not read its source ahead into another buffer; it reads on once a part is answered.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientFor, MiB } from './helpers/clients.js';
import { type FaultProxy, startFaultProxy } from './support/fault-proxy.js';
import { createTestBucket, s3Server } from './support/servers.js';

const server = s3Server('fauxqs');
const PART = 5 * MiB;
const CHUNK = 64 * 1024;
let proxy: FaultProxy;
let bucket: string;

beforeAll(async () => {
  bucket = await createTestBucket(server, 'part-buffers');
  // The first four parts are held a while before they go on: the upload has queueSize parts in flight.
  proxy = await startFaultProxy(server.endpoint, (r) =>
    r.method === 'PUT' && Number(r.query.partNumber) <= 4 ? { stallMs: 1500 } : undefined,
  );
});
afterAll(async () => {
  await proxy?.close();
});

const partAnswered = () => proxy.requests.some((r) => 'partNumber' in r.query && r.status !== undefined);

describe('part buffers per upload', () => {
  it('reads no more than queueSize parts (and the chunk that shows the last is not the end) before a part is answered', async () => {
    let readBeforeAnswer = 0;
    async function* source(): AsyncGenerator<Uint8Array> {
      for (let offset = 0; offset < 8 * PART; offset += CHUNK) {
        if (!partAnswered()) readBeforeAnswer = offset + CHUNK;
        yield Buffer.alloc(CHUNK, offset / CHUNK);
      }
    }
    const client = clientFor(server, bucket, { endpoint: proxy.endpoint, partSize: PART, queueSize: 4 });
    const put = await client.putObject('held', source());
    expect(put.size).toBe(8 * PART);
    expect(readBeforeAnswer, 'bytes read while 4 parts were in flight').toBeLessThanOrEqual(4 * PART + CHUNK);
    expect(readBeforeAnswer, 'but all 4 parts were read').toBeGreaterThan(4 * PART);
    await client.close();
  });
});
