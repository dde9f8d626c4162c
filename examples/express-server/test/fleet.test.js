// Several instances of the example, sharing one Redis and one bucket (Swift) or one directory: the limits hold
// for the fleet as a whole, a killed instance's reservations expire, a Redis outage stops uploads but not
// downloads, one cleanup pass runs at a time, one instance at a time writes a resumable upload,
// and a resumable upload outlives its killed instance.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fsBackend } from '@att/backend-fs';
import { s3Backend } from '@att/backend-s3';
import { signRequest } from '@att/s3-sigv4';
import { redisState } from '@att/state-redis';
import * as tus from 'tus-js-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SWIFT_CREDENTIALS, startSwift } from '../../../packages/backend-s3/test/setup/s3-servers.mjs';
import { startRedis } from '../../../scripts/redis-server.mjs';
import { startFleet, stopFleet } from './fleet/fleet.js';

const KiB = 1024;
const MiB = 1024 * KiB;

let redis;
let swift;
let fleet;
let state;

beforeAll(async () => {
  [redis, swift] = await Promise.all([startRedis(), startSwift()]);
}, 600_000);

afterAll(async () => {
  await Promise.all([redis?.stop(), swift?.stop()]);
});

afterEach(async () => {
  await stopFleet(fleet);
  fleet = undefined;
  await state?.close();
  state = undefined;
});

async function createBucket() {
  const bucket = `fleet-${randomUUID().slice(0, 8)}`;
  const url = `${swift.endpoint}/${bucket}`;
  const { headers } = signRequest(
    { method: 'PUT', url },
    { ...SWIFT_CREDENTIALS, region: SWIFT_CREDENTIALS.region, service: 's3', signedPayload: false },
  );
  const res = await fetch(url, { method: 'PUT', headers });
  if (res.status !== 200) throw new Error(`create bucket: ${res.status} ${await res.text()}`);
  return bucket;
}

function s3Url(bucket) {
  const { accessKeyId, secretAccessKey, region } = SWIFT_CREDENTIALS;
  return `s3://${encodeURIComponent(accessKeyId)}:${encodeURIComponent(secretAccessKey)}@${bucket}?region=${region}&endpoint=${encodeURIComponent(swift.endpoint)}&forcePathStyle=true`;
}

/** Bytes (and keys) the bucket or directory holds right now. */
async function listed(backend) {
  let bytes = 0;
  const keys = new Set();
  for await (const info of backend.list()) {
    bytes += info.size;
    keys.add(info.key);
  }
  return { bytes, keys };
}

async function upload(base, body, headers = {}) {
  const res = await fetch(`${base}/`, { method: 'POST', body, headers });
  const json = await res.json();
  return { status: res.status, json };
}

/** A shared-storage target for a fleet test: an S3 bucket on Swift or one fs directory. */
async function target(kind) {
  if (kind === 'swift') {
    const bucket = await createBucket();
    const storage = s3Url(bucket);
    return { storage, backend: s3Backend(storage), done: async () => {} };
  }
  const dir = await mkdtemp(join(tmpdir(), 'att-fleet-'));
  return { storage: dir, backend: fsBackend({ dir }), done: () => rm(dir, { recursive: true, force: true }) };
}

function newState() {
  const prefix = `fleet-${randomUUID().slice(0, 8)}:`;
  state = redisState({ url: redis.url, prefix, commandTimeout: 10_000 });
  return prefix;
}

describe.each(['swift', 'fs'])('a fleet of three instances on one %s store and one Redis', (kind) => {
  it('300 concurrent uploads against a total limit: never over it, 201 sizes = bucket = usage, 507s leave nothing', {
    timeout: 180_000,
  }, async () => {
    const where = await target(kind);
    const prefix = newState();
    const limit = 10 * MiB;
    fleet = await startFleet(3, {
      storage: where.storage,
      redis: redis.url,
      config: {
        prefix,
        store: { totalSizeLimit: limit },
        middleware: { rateLimit: false, visitorTotalSizeLimit: false, visitorDailyBandwidth: false },
      },
    });
    const sizes = Array.from({ length: 300 }, (_, i) => 50 * KiB + ((i * 7919) % (100 * KiB)));
    let running = true;
    let sampleError;
    let worstLedger = 0;
    let worstBucket = 0;
    const sampler = (async () => {
      for (let i = 0; running && i < 10_000; i++) {
        const { committed, reserved } = await state.ledger.usage('store');
        worstLedger = Math.max(worstLedger, committed + reserved);
        if (i % 10 === 0) worstBucket = Math.max(worstBucket, (await listed(where.backend)).bytes);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })().catch((err) => {
      sampleError = err;
    });
    const results = await Promise.all(
      sizes.map((size, i) => upload(fleet[i % 3].attachments, randomBytes(size)).then((r) => ({ ...r, size }))),
    );
    running = false;
    await sampler;
    expect(sampleError, 'the sampler could not read the ledger or the bucket').toBeUndefined();
    const created = results.filter((r) => r.status === 201);
    const refused = results.filter((r) => r.status !== 201);
    expect(created.length, 'some uploads must fit').toBeGreaterThan(0);
    expect(refused.length, 'some uploads must be refused').toBeGreaterThan(0);
    for (const r of refused) expect([r.status, r.json.error?.code]).toEqual([507, 'QUOTA_EXCEEDED']);
    for (const r of created) expect(r.json.size).toBe(r.size);
    const stored = created.reduce((sum, r) => sum + r.size, 0);
    const bucket = await listed(where.backend);
    expect(bucket.bytes, 'the bucket holds exactly the 201 uploads').toBe(stored);
    expect([...bucket.keys].sort()).toEqual(created.map((r) => r.json.id).sort());
    expect(worstLedger, 'the shared total went over the limit').toBeLessThanOrEqual(limit);
    expect(worstBucket, 'the bucket went over the limit').toBeLessThanOrEqual(limit);
    expect(await state.ledger.usage('store'), 'the ledger equals the bucket').toEqual({
      committed: stored,
      reserved: 0,
    });
    await where.done();
  });
});

describe('per-visitor limits hold across instances (fs)', () => {
  it('a visitor cannot get 3× its total, bandwidth or rate by spreading requests', { timeout: 180_000 }, async () => {
    const where = await target('fs');
    const prefix = newState();
    fleet = await startFleet(3, {
      storage: where.storage,
      redis: redis.url,
      config: {
        prefix,
        middleware: {
          visitorTotalSizeLimit: 1 * MiB,
          visitorDailyBandwidth: 1800 * KiB,
          rateLimit: { burst: 8, refillMs: 3_600_000 },
        },
      },
    });
    const part = randomBytes(400 * KiB);
    const a = await upload(fleet[0].attachments, part);
    const b = await upload(fleet[1].attachments, part);
    const c = await upload(fleet[2].attachments, part);
    expect([a.status, b.status]).toEqual([201, 201]);
    expect([c.status, c.json.error?.code], 'the third 400 KiB breaks the 1 MiB total').toEqual([413, 'TOO_LARGE']);
    // Bandwidth: 800 KiB uploaded (the refused upload was refused before its body was read); downloads from
    // the other instances spend the rest of the 1800 KiB.
    const downloads = [];
    for (const instance of [fleet[1], fleet[2], fleet[0]]) {
      downloads.push((await fetch(`${instance.attachments}/${a.json.id}`)).status);
    }
    expect(downloads.slice(0, 2)).toEqual([200, 200]);
    expect(downloads[2], 'the daily bandwidth is shared').toBe(429);
    // Rate: 8 tokens for the whole fleet; 6 requests were made above.
    const statuses = [];
    for (const instance of [fleet[1], fleet[2], fleet[0]]) {
      statuses.push((await fetch(`${instance.attachments}/nope`)).status);
    }
    expect(statuses).toEqual([404, 404, 429]);
    await where.done();
  });
});

describe('failures of one part of the fleet (Swift)', () => {
  it('kill -9 mid-upload: its reservation expires within the TTL and the ledger converges to the bucket', {
    timeout: 180_000,
  }, async () => {
    const where = await target('swift');
    const prefix = newState();
    fleet = await startFleet(2, {
      storage: where.storage,
      redis: redis.url,
      config: { prefix, store: { totalSizeLimit: 64 * MiB, reservationTtl: 1_500 }, middleware: { rateLimit: false } },
    });
    const first = await upload(fleet[0].attachments, randomBytes(300 * KiB));
    expect(first.status).toBe(201);
    // A 4 MiB upload to the second instance that sends 1 MiB, then the instance dies.
    const { port } = new URL(fleet[1].base);
    const req = http.request({
      host: '127.0.0.1',
      port,
      path: '/attachments/',
      method: 'POST',
      headers: { 'content-length': String(4 * MiB) },
    });
    req.on('error', () => {});
    req.write(randomBytes(1 * MiB));
    let reserved = 0;
    for (let i = 0; i < 200 && reserved < 4 * MiB; i++) {
      reserved = (await state.ledger.usage('store')).reserved;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(reserved, 'the upload reserved its declared size').toBe(4 * MiB);
    fleet[1].kill();
    let usage;
    for (let i = 0; i < 100; i++) {
      usage = await state.ledger.usage('store');
      if (usage.reserved === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(usage, 'the dead instance’s reservation expired').toEqual({ committed: 300 * KiB, reserved: 0 });
    expect((await listed(where.backend)).bytes, 'the ledger equals the bucket').toBe(300 * KiB);
    req.destroy();
    await where.done();
  });

  it('Redis stopped: uploads 503 STATE_UNAVAILABLE with nothing stored, downloads 200; restarted: uploads 201', {
    timeout: 180_000,
  }, async () => {
    const where = await target('swift');
    const prefix = newState();
    fleet = await startFleet(2, { storage: where.storage, redis: redis.url, config: { prefix } });
    const before = await upload(fleet[0].attachments, randomBytes(100 * KiB));
    expect(before.status).toBe(201);
    await redis.stop();
    try {
      const during = await upload(fleet[1].attachments, randomBytes(100 * KiB));
      expect([during.status, during.json.error?.code]).toEqual([503, 'STATE_UNAVAILABLE']);
      expect(during.json.error.message, 'a clear message without Redis details').toMatch(/^uploads are paused/);
      const download = await fetch(`${fleet[1].attachments}/${before.json.id}`);
      expect(download.status, 'downloads keep working without Redis').toBe(200);
      expect((await download.arrayBuffer()).byteLength).toBe(100 * KiB);
      const { keys } = await listed(where.backend);
      expect([...keys], 'nothing new was stored').toEqual([before.json.id]);
    } finally {
      redis = await startRedis({ port: redis.port, install: false });
    }
    let after;
    for (let i = 0; i < 50; i++) {
      after = await upload(fleet[1].attachments, randomBytes(100 * KiB));
      if (after.status === 201) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(after.status, 'uploads resume once Redis is back, without a restart').toBe(201);
    await where.done();
  });

  it('two instances calling cleanup() at once: exactly one pass runs', { timeout: 180_000 }, async () => {
    const where = await target('swift');
    const prefix = newState();
    fleet = await startFleet(2, { storage: where.storage, redis: redis.url, config: { prefix, slowCleanupMs: 1_500 } });
    expect((await upload(fleet[0].attachments, randomBytes(10 * KiB))).status).toBe(201);
    const passes = await Promise.all(
      fleet.map((i) => fetch(`${i.base}/__cleanup`, { method: 'POST' }).then((r) => r.json())),
    );
    const ran = passes.filter((p) => !p.skipped);
    expect(ran.length, JSON.stringify(passes)).toBe(1);
    expect(ran[0].scanned).toBe(1);
    expect(passes.filter((p) => p.skipped === true).length).toBe(1);
    await where.done();
  });
});

it.each(['swift', 'fs'])(
  'tus on two instances (%s, one Redis lease): a PATCH while the other instance writes the upload gets 423, a stale offset 409, bytes never interleave',
  {
    timeout: 180_000,
  },
  async (kind) => {
    const where = await target(kind);
    const prefix = newState();
    fleet = await startFleet(2, { storage: where.storage, redis: redis.url, config: { prefix } });
    const TUS = { 'Tus-Resumable': '1.0.0' };
    const data = randomBytes(256 * KiB);
    const created = await fetch(`${fleet[0].attachments}/uploads`, {
      method: 'POST',
      headers: { ...TUS, 'Upload-Length': String(data.length) },
    });
    expect(created.status, 'creation').toBe(201);
    const { pathname } = new URL(created.headers.get('location'), fleet[0].base);
    const patch = (instance, offset, body) =>
      fetch(`${instance.base}${pathname}`, {
        method: 'PATCH',
        headers: { ...TUS, 'Upload-Offset': String(offset), 'Content-Type': 'application/offset+octet-stream' },
        body,
      });
    // PATCH A on the first instance sends half its body and waits, holding the upload's lease in Redis.
    const patchA = http.request({
      host: '127.0.0.1',
      port: new URL(fleet[0].base).port,
      path: pathname,
      method: 'PATCH',
      headers: {
        ...TUS,
        'Upload-Offset': '0',
        'Content-Type': 'application/offset+octet-stream',
        'Content-Length': String(128 * KiB),
      },
    });
    const answerA = new Promise((resolve, reject) => {
      patchA.on('response', (res) => {
        res.resume();
        resolve(res.statusCode);
      });
      patchA.on('error', reject);
    });
    patchA.write(data.subarray(0, 64 * KiB));
    // Until A holds the lease, an empty PATCH on the second instance may still pass (it writes nothing): retry it
    // until it is refused (bounded).
    let refused;
    for (let attempt = 0; attempt < 100 && refused?.status !== 423; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      refused = await patch(fleet[1], 0, new Uint8Array(0));
    }
    expect(refused.status, 'a PATCH on the other instance while the first writes').toBe(423);
    expect((await refused.json()).error?.code).toBe('CONFLICT');
    patchA.end(data.subarray(64 * KiB, 128 * KiB));
    expect(await answerA, 'the PATCH holding the upload').toBe(204);
    const stale = await patch(fleet[1], 0, data.subarray(128 * KiB));
    expect(stale.status, 'a PATCH at a stale offset on the other instance').toBe(409);
    const rest = await patch(fleet[1], 128 * KiB, data.subarray(128 * KiB));
    expect(rest.status, 'the rest, sent to the other instance').toBe(204);
    const id = pathname.split('/').pop();
    const download = await fetch(`${fleet[0].attachments}/${id}`);
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer()).equals(data), 'the attachment is the bytes in order').toBe(true);
    await where.done();
  },
);

it.each(['swift', 'fs'])(
  'tus (%s): an upload whose instance is killed (kill -9) resumes from HEAD on a newly started process',
  {
    timeout: 180_000,
  },
  async (kind) => {
    const where = await target(kind);
    const prefix = newState();
    const config = { prefix, middleware: { rateLimit: false } };
    const [first] = await startFleet(1, { storage: where.storage, redis: redis.url, config });
    fleet = [first];
    const data = randomBytes(6 * MiB + 7);
    // 1 MiB PATCHes; the client stops after 3 MiB are acknowledged, then the instance dies without a goodbye.
    const url = await new Promise((resolve, reject) => {
      const upload = new tus.Upload(data, {
        endpoint: `${first.attachments}/uploads`,
        chunkSize: MiB,
        retryDelays: [],
        metadata: { filename: 'killed.bin' },
        onChunkComplete(_size, accepted) {
          if (accepted >= 3 * MiB) upload.abort().then(() => resolve(upload.url), reject);
        },
        onError: reject,
        onSuccess: () => reject(new Error('the upload finished before it was cut')),
      });
      upload.start();
    });
    first.kill();
    const [second] = await startFleet(1, { storage: where.storage, redis: redis.url, config });
    fleet = [first, second];
    const onSecond = `${second.attachments}/uploads/${url.split('/').pop()}`;
    const head = await fetch(onSecond, { method: 'HEAD', headers: { 'Tus-Resumable': '1.0.0' } });
    expect(head.status, 'HEAD on the new process').toBe(200);
    const offset = Number(head.headers.get('upload-offset'));
    expect(offset, 'the acknowledged bytes survived the killed process').toBeGreaterThanOrEqual(3 * MiB);
    const offsets = [];
    await new Promise((resolve, reject) => {
      const upload = new tus.Upload(data, {
        endpoint: `${second.attachments}/uploads`,
        uploadUrl: onSecond,
        chunkSize: MiB,
        retryDelays: [0, 200, 500, 1000],
        onBeforeRequest(req) {
          if (req.getMethod() === 'PATCH') offsets.push(Number(req.getHeader('Upload-Offset')));
        },
        onError: reject,
        onSuccess: resolve,
      });
      upload.start();
    });
    expect(offsets[0], 'the resumed upload started again from zero').toBe(offset);
    const download = await fetch(`${second.attachments}/${url.split('/').pop()}`);
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer()).equals(data), 'the attachment differs from the file').toBe(true);
    await where.done();
  },
);
