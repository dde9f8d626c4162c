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

const ops = {
  /** PUTs the objects of `classes` under each prefix, 64 in flight, with the metadata a Store write leaves. */
  async seed() {
    const at = Date.now();
    const created = new Date(at).toISOString();
    const metadataOf = {
      expired: { 'att-created': created, 'att-expires': new Date(at + job.expiry).toISOString() },
      perWrite: { 'att-created': created, 'att-expires': new Date(at + YEAR).toISOString() },
      young: { 'att-created': created, 'att-expires': new Date(at + job.expiry).toISOString() },
    };
    let written = 0;
    for (const prefix of job.prefixes) {
      const c = client(prefix);
      const wanted = [];
      for (let i = 0; i < job.objects; i++) if (job.classes.includes(classOf(i))) wanted.push(i);
      let next = 0;
      const worker = async () => {
        while (next < wanted.length) {
          const i = wanted[next++];
          await c.putObject(key(i), Buffer.from(`v${i}`), { metadata: metadataOf[classOf(i)] });
          written++;
        }
      };
      await Promise.all(Array.from({ length: 64 }, worker));
      await c.close?.();
    }
    return { written, startedAt: at, endedAt: Date.now() };
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

  /** A Store that just started (nothing learned), its cleanup pass twice, on the clock the launcher chose. */
  async store() {
    const backend = s3Backend(client(job.prefix));
    const quiet = {
      warn: (obj, msg) => process.stderr.write(`cleanup warning: ${msg} ${JSON.stringify(obj ?? {})}\n`),
    };
    const store = createStore({ backend, expiry: job.expiry, now: () => job.passNow, logger: quiet });
    const first = await measured(() => store.cleanup());
    const second = await measured(() => store.cleanup());
    await store.close();
    await backend.close();
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
