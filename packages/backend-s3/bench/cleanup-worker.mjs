// One step of the cleanup bench in its own process: `node cleanup-worker.mjs '<json job>'`, one JSON line out.
// op = seed (a phase of tiny objects under prefixes) | floor (bare ListObjectsV2 + DeleteObjects of the expired
// keys) | listOnly (bare ListObjectsV2) | store (two Store.cleanup() passes: the first after a restart, the second
// with what the first learned). Requests are counted from the client's att:s3:request:end channel (every attempt).
import { subscribe } from 'node:diagnostics_channel';
import { S3Client, s3Backend } from '@att/backend-s3';
import { createStore, S3_REQUEST_END_CHANNEL } from '@att/store-core';
import { classOf } from './cleanup-population.mjs';

const job = JSON.parse(process.argv[2] ?? '{}');
const YEAR = 365 * 24 * 3600_000;

const requests = new Map();
subscribe(S3_REQUEST_END_CHANNEL, (message) => {
  requests.set(message.operation, (requests.get(message.operation) ?? 0) + Math.max(1, message.attempts));
});
function takeRequests() {
  const counted = Object.fromEntries(requests);
  requests.clear();
  return counted;
}

function client(prefix) {
  const { server } = job;
  return new S3Client({
    endpoint: server.endpoint,
    region: server.region,
    bucket: job.bucket,
    accessKeyId: server.accessKeyId,
    secretAccessKey: server.secretAccessKey,
    forcePathStyle: true,
    // Swift works through a DeleteObjects key by key; on a loaded machine 1000 keys can outlast the 30 s default.
    timeout: 300_000,
    ...(prefix ? { prefix } : {}),
  });
}

/** Peak RSS sampled every 10 ms over `fn` (maxRSS alone is the whole process' high-water mark). */
async function measured(fn) {
  global.gc?.();
  const baseline = process.memoryUsage.rss();
  let peak = baseline;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 10);
  takeRequests();
  const start = process.hrtime.bigint();
  const value = await fn();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  clearInterval(timer);
  peak = Math.max(peak, process.memoryUsage.rss());
  global.gc?.();
  const { heapUsed, external } = process.memoryUsage();
  return { value, seconds, requests: takeRequests(), baseline, peak, retained: heapUsed + external };
}

const key = (i) => `k${String(i).padStart(6, '0')}`;
const RESERVED_EPOCH = '!att/expiry/-since';
const quiet = {
  warn: (obj, msg) => process.stderr.write(`cleanup warning: ${msg} ${JSON.stringify(obj ?? {})}\n`),
};

async function* bodyOf(text) {
  yield Buffer.from(text);
}

/** A Store on `c` with the bench's default expiry (and clock). */
function storeOn(c, now) {
  return createStore({ backend: s3Backend(c), expiry: job.expiry, logger: quiet, ...(now ? { now } : {}) });
}

const ops = {
  /**
   * PUTs the objects of `classes` under each prefix, `job.concurrency` in flight. The floor's prefix gets bare
   * objects with the metadata a Store write leaves; the Store's prefix gets Store writes (isNew, as the middleware's
   * generated ids), so a write with its own expiry leaves its expiry-index marker as in production.
   */
  async seed() {
    const at = Date.now();
    const created = new Date(at).toISOString();
    const metadataOf = {
      expired: { 'att-created': created, 'att-expires': new Date(at + job.expiry).toISOString() },
      perWrite: { 'att-created': created, 'att-expires': new Date(at + YEAR).toISOString() },
      young: { 'att-created': created, 'att-expires': new Date(at + job.expiry).toISOString() },
    };
    let written = 0;
    await Promise.all(
      job.prefixes.map(async (prefix, p) => {
        const c = client(prefix);
        const store = p === job.storePrefix ? storeOn(c) : undefined;
        const put = store
          ? (i) =>
              store.write(key(i), bodyOf(`v${i}`), {
                isNew: true,
                ...(classOf(i) === 'perWrite' ? { expiresAt: new Date(at + YEAR) } : {}),
              })
          : (i) => c.putObject(key(i), Buffer.from(`v${i}`), { metadata: metadataOf[classOf(i)] });
        const wanted = [];
        for (let i = 0; i < job.objects; i++) if (job.classes.includes(classOf(i))) wanted.push(i);
        let next = 0;
        const worker = async () => {
          while (next < wanted.length) {
            await put(wanted[next++]);
            written++;
          }
        };
        await Promise.all(Array.from({ length: job.concurrency }, worker));
        await store?.close();
        await c.close?.();
      }),
    );
    return { written, startedAt: at, endedAt: Date.now() };
  },

  /** A deployment that already runs this version: one pass over the empty prefix starts the expiry index. */
  async startIndex() {
    const c = client(job.prefix);
    const store = storeOn(c);
    const result = await store.cleanup();
    await store.close();
    const epoch = await c.headObject(RESERVED_EPOCH);
    await c.close?.();
    return { result, epoch: epoch.lastModified.getTime() };
  },

  /** What a pass cannot do with less: list every object, delete the expired ones in DeleteObjects of 1000. */
  async floor() {
    const c = client(job.prefix);
    const r = await measured(async () => {
      let listed = 0;
      let batch = [];
      const inFlight = new Set();
      const flush = async () => {
        // Two batches beside the listing, as the Store's pass does.
        while (inFlight.size >= 2) await Promise.race(inFlight);
        const p = c.deleteObjects(batch).finally(() => inFlight.delete(p));
        inFlight.add(p);
        batch = [];
      };
      for await (const o of c.listObjects()) {
        listed++;
        if (classOf(Number(o.key.slice(1))) === 'expired') {
          batch.push(o.key);
          if (batch.length >= 1000) await flush();
        }
      }
      if (batch.length > 0) await flush();
      await Promise.all(inFlight);
      return { listed };
    });
    await c.close?.();
    return r;
  },

  async listOnly() {
    const c = client(job.prefix);
    const r = await measured(async () => {
      let listed = 0;
      for await (const _ of c.listObjects()) listed++;
      return { listed };
    });
    await c.close?.();
    return r;
  },

  /**
   * A Store that just started (nothing learned: a restart, or another instance of a fleet), its cleanup pass twice
   * on the clock the launcher chose: the first reads the expiry index beside the listing, the second reuses what
   * the first learned.
   */
  async store() {
    const c = client(job.prefix);
    const store = storeOn(c, () => job.passNow);
    const first = await measured(() => store.cleanup());
    const second = await measured(() => store.cleanup());
    await store.close();
    await c.close?.();
    return { first, second };
  },
};

ops[job.op]().then(
  (result) => {
    process.stdout.write(`${JSON.stringify({ ...result, maxRss: process.resourceUsage().maxRSS * 1024 })}\n`);
    process.exit(0);
  },
  (err) => {
    process.stderr.write(`cleanup-worker ${job.op} failed: ${err?.stack ?? err}\n`);
    process.exit(1);
  },
);
