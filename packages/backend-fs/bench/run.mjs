// Store + fs backend vs a raw stream.pipeline, writing and reading a large stream (1 GiB by default).
// Interleaved rounds (ABBA order, flipped every round), median of per-round ratios, fsync on and off; then peak RSS
// growth of each operation in fresh child processes (median of 3). Data lives in os.tmpdir() and is deleted at the end.
//   ATT_BENCH_MB=1024 ATT_BENCH_ROUNDS=5 pnpm bench
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setup } from './ops.mjs';

const MB = 1024 * 1024;
const sizeMb = Number(process.env.ATT_BENCH_MB ?? 1024);
const rounds = Number(process.env.ATT_BENCH_ROUNDS ?? 5);
const here = path.dirname(fileURLToPath(import.meta.url));
const root = mkdtempSync(path.join(tmpdir(), 'att-fs-bench-'));
const source = path.join(root, 'source.bin');

async function makeSource() {
  const block = randomBytes(MB);
  const out = createWriteStream(source);
  for (let i = 0; i < sizeMb; i++) {
    // Vary each MiB a little so nothing downstream can dedupe or compress it away.
    block.writeUInt32LE(i, 0);
    if (!out.write(Buffer.from(block))) await new Promise((resolve) => out.once('drain', resolve));
  }
  await new Promise((resolve, reject) => out.end((err) => (err ? reject(err) : resolve())));
}

async function digest(file) {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk);
  return hash.digest('hex');
}

/**
 * Both sides start every timed write from the same disk state: previous outputs deleted and everything flushed
 * (untimed). Otherwise each write pays for the writeback and block freeing (ext4 online discard) left by the
 * operation before it, and the order of operations, not the code, decides the ratio.
 */
async function settleDisk(removeOutput) {
  await removeOutput();
  try {
    execFileSync('sync');
  } catch {
    // no `sync` binary (Windows): measure anyway
  }
}

async function timed(fn) {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const mbps = (seconds) => (sizeMb / seconds).toFixed(0);

async function verify(flavour) {
  const expected = await digest(source);
  await flavour.rawWrite(source);
  await flavour.storeWrite(source);
  const stored = await digest(flavour.storedFile);
  if (stored !== expected || (await digest(flavour.rawFile)) !== expected) throw new Error('bytes differ');
  const attachment = await flavour.store.stat('bench-object');
  if (attachment.size !== sizeMb * MB || flavour.store.size !== sizeMb * MB) throw new Error('sizes differ');
}

async function throughput(fsync) {
  const flavour = setup(root, fsync);
  await verify(flavour);
  const ratios = { write: [], read: [] };
  const speeds = { rawWrite: [], storeWrite: [], rawRead: [], storeRead: [] };
  for (let round = 0; round < rounds; round++) {
    // ABBA within a round (BAAB in odd rounds): position effects (writeback, cache, a noisy neighbour ramping up)
    // hit both sides alike, and the round's ratio compares the sums.
    const order = round % 2 === 0 ? ['raw', 'store', 'store', 'raw'] : ['store', 'raw', 'raw', 'store'];
    for (const kind of ['write', 'read']) {
      const K = kind === 'write' ? 'Write' : 'Read';
      const total = { raw: 0, store: 0 };
      for (const side of order) {
        if (kind === 'write') await settleDisk(side === 'raw' ? flavour.removeRaw : flavour.removeStored);
        total[side] += await timed(() => flavour[`${side}${K}`](source));
      }
      speeds[`raw${K}`].push(total.raw / 2);
      speeds[`store${K}`].push(total.store / 2);
      ratios[kind].push(total.raw / total.store);
    }
  }
  await flavour.cleanup();
  return { ratios, speeds };
}

function rssGrowth(op, fsync) {
  const out = execFileSync(process.execPath, [path.join(here, 'rss-child.mjs'), op, fsync ? '1' : '0', root, source]);
  return JSON.parse(out.toString()).growthKiB / 1024;
}

async function memory(fsync) {
  const flavour = setup(root, fsync);
  const growth = {};
  for (const kind of ['Write', 'Read']) {
    if (kind === 'Read') {
      await flavour.rawWrite(source);
      await flavour.storeWrite(source);
    }
    // Three fresh processes each, alternating; the median, because V8 collects external buffers at moments of
    // its own choosing and a single run can land on either side of a collection.
    const runs = { raw: [], ours: [] };
    for (let i = 0; i < 3; i++) {
      runs.raw.push(rssGrowth(`raw${kind}`, fsync));
      runs.ours.push(rssGrowth(`store${kind}`, fsync));
    }
    const raw = median(runs.raw);
    const ours = median(runs.ours);
    growth[kind.toLowerCase()] = { raw, ours };
  }
  await flavour.cleanup();
  return growth;
}

try {
  console.log(`@att/backend-fs bench: ${sizeMb} MiB stream, ${rounds} interleaved rounds, data in ${root}`);
  await makeSource();
  for (const fsync of [true, false]) {
    const { ratios, speeds } = await throughput(fsync);
    const label = fsync ? 'fsync on ' : 'fsync off';
    for (const kind of ['write', 'read']) {
      const k = kind === 'write' ? 'Write' : 'Read';
      console.log(
        `${label} ${kind.padEnd(5)}: store/raw throughput ratio median ${median(ratios[kind]).toFixed(3)}` +
          ` (rounds: ${ratios[kind].map((r) => r.toFixed(2)).join(' ')});` +
          ` median MiB/s store ${mbps(median(speeds[`store${k}`]))} raw ${mbps(median(speeds[`raw${k}`]))}`,
      );
    }
    const growth = await memory(fsync);
    for (const [kind, { raw, ours }] of Object.entries(growth)) {
      console.log(
        `${label} ${kind.padEnd(5)}: peak RSS growth store ${ours.toFixed(1)} MiB, raw ${raw.toFixed(1)} MiB,` +
          ` difference ${(ours - raw).toFixed(1)} MiB (goal ≤ 32)`,
      );
    }
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}
