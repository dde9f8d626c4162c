// Child process for the buffer-budget test: N concurrent uploads through the built client, RSS sampled before,
// during and after. A child, so the measurement sees only the client (not vitest, fauxqs or other tests).
// Prints one JSON line: { base, peak, after } in bytes. Run with --expose-gc.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { S3Client } from '../../dist/index.js';

const MiB = 1024 * 1024;
const job = JSON.parse(process.argv[2]);
const client = new S3Client({ ...job.client, partSize: 5 * MiB, queueSize: 4, timeout: 60_000 });
const chunk = randomBytes(64 * 1024);

async function* body(bytes) {
  for (let sent = 0; sent < bytes; sent += chunk.length) yield chunk.subarray(0, Math.min(chunk.length, bytes - sent));
}

const rss = () => process.memoryUsage.rss();
const settle = async () => {
  for (let i = 0; i < 3; i++) {
    globalThis.gc();
    await sleep(50);
  }
};

await client.putObject('warm-up', 'x'); // sockets, TLS-free agent, signing caches: part of the base
await settle();
const base = rss();
let peak = base;
const sampler = setInterval(() => {
  peak = Math.max(peak, rss());
}, 5);
await Promise.all(Array.from({ length: job.uploads }, (_, i) => client.putObject(`u${i}`, body(job.bytes))));
clearInterval(sampler);
peak = Math.max(peak, rss());
await sleep(1_200); // the pool drops idle buffers after 1 s
await settle();
const after = rss();
await client.close();
console.log(JSON.stringify({ base, peak, after }));
