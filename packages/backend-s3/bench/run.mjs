// `pnpm bench`: our S3 client vs @aws-sdk/client-s3 + lib-storage, same servers, separate processes, interleaved.
// This launcher stays tiny on purpose (no SDK, no client): a child's maxRSS starts from its parent's high-water mark.
// Env knobs: BENCH_ROUNDS (3), BENCH_MIB (256), BENCH_KEYS (10000), BENCH_PART_MIB (8), BENCH_QUEUE (4),
// BENCH_SERVERS (swift,fauxqs), BENCH_IMPLS (ours,sdk), BENCH_KINDS (transfer,list,cleanup: up+download,
// list+delete, a Store cleanup pass beside its list+delete floor; checksums: CPU per MiB of each checksum, no
// server — checksums.mjs), BENCH_CLEANUP_FAUXQS (100000), BENCH_CLEANUP_SWIFT (20000): objects in the cleanup bench,
// BENCH_CLEANUP_CONCURRENCY (64): its seeding PUTs in flight per population.
// BENCH_PRESET=upload (or `node run.mjs upload`, which `pnpm bench:upload` runs): the short upload-memory comparison,
// 128 MiB, ours vs sdk, transfer only, 3 rounds (the other knobs still override it). BENCH_TRACE=1: each worker
// prints its memory over time on stderr.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchChecksums, printChecksumReport } from './checksums.mjs';
import { benchCleanup, printCleanupReport } from './cleanup.mjs';
import { runNode, startServers } from './processes.mjs';
import { printReport } from './report.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const MIB = 1024 * 1024;
const PRESETS = {
  upload: { BENCH_MIB: 128, BENCH_IMPLS: 'ours,sdk', BENCH_KINDS: 'transfer' },
};
const presetName = process.env.BENCH_PRESET ?? process.argv[2];
if (presetName !== undefined && !Object.hasOwn(PRESETS, presetName)) {
  console.error(`bench: unknown preset "${presetName}" (known: ${Object.keys(PRESETS).join(', ')})`);
  process.exit(1);
}
const preset = PRESETS[presetName] ?? {};
const env = (name, fallback) => process.env[name] ?? preset[name] ?? fallback;
const cfg = {
  rounds: Number(env('BENCH_ROUNDS', 3)),
  sizeBytes: Number(env('BENCH_MIB', 256)) * MIB,
  keys: Number(env('BENCH_KEYS', 10_000)),
  partSize: Number(env('BENCH_PART_MIB', 8)) * MIB,
  queueSize: Number(env('BENCH_QUEUE', 4)),
  servers: env('BENCH_SERVERS', 'swift,fauxqs').split(','),
  impls: env(
    'BENCH_IMPLS',
    'ours,sdk,ours:unsigned,ours:unsigned:md5,ours:unsigned:crc32-always,ours:unsigned:crc32c-always,' +
      'ours:unsigned:crc64nvme-always,ours:unsigned:none',
  ).split(','),
  kinds: env('BENCH_KINDS', 'transfer,list,cleanup,checksums').split(','),
  cleanupObjects: {
    fauxqs: Number(env('BENCH_CLEANUP_FAUXQS', 100_000)),
    swift: Number(env('BENCH_CLEANUP_SWIFT', 20_000)),
  },
  cleanupConcurrency: Number(env('BENCH_CLEANUP_CONCURRENCY', 64)),
};

if (cfg.impls.some((impl) => impl.startsWith('ours')) && !existsSync(join(here, '..', 'dist', 'index.js'))) {
  console.error('bench: dist/ missing; run `pnpm turbo run build --filter=@att/backend-s3...` first');
  process.exit(1);
}

const admin = (job) => runNode(join(here, 'admin.mjs'), job, 10 * 60_000);
const measure = (task) => runNode(join(here, 'worker.mjs'), task, 10 * 60_000, ['--expose-gc']);

async function main() {
  console.log(
    `bench: ${cfg.rounds} rounds, ${cfg.sizeBytes / MIB} MiB up+down, ${cfg.keys} keys list+delete, ` +
      `partSize ${cfg.partSize / MIB} MiB, queueSize ${cfg.queueSize}; launcher RSS ${(process.memoryUsage.rss() / MIB).toFixed(0)} MiB`,
  );
  // The checksum CPU bench needs no server: it runs first, on an otherwise idle bench.
  const checksums = cfg.kinds.includes('checksums') ? await benchChecksums(here, cfg.rounds) : undefined;
  if (cfg.kinds.every((kind) => kind === 'checksums')) return printChecksumReport(checksums);
  const servers = await startServers(join(here, 'servers.mjs'), cfg.servers);
  // Ctrl-C: stop Swift and fauxqs before leaving (the servers process also stops when our pipe closes).
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => servers.stop().finally(() => process.exit(130)));
  }
  const samples = []; // { server, impl, kind, ...result }
  const cleanups = [];
  try {
    for (const server of servers.list) {
      server.bucket = `att-bench-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
      await admin({ op: 'createBucket', server, bucket: server.bucket });
    }
    // Calibration: the harness' own RSS growth (generator, verifier, GC lag) without any client.
    for (const kind of cfg.kinds.includes('transfer') ? ['upload', 'download'] : []) {
      const base = {
        server: servers.list[0],
        bucket: '-',
        impl: 'null',
        kind,
        keyPrefix: 'null',
        sizeBytes: cfg.sizeBytes,
      };
      const result = await measure(base);
      samples.push({ server: 'none', impl: 'null', kind, ...result });
      log(0, 'none', 'null', kind, result);
    }
    for (let round = 1; round <= cfg.rounds; round++) {
      for (const server of servers.list) {
        // ABBA order across rounds, so warm-up and drift do not favour one side.
        const order = round % 2 ? cfg.impls : [...cfg.impls].reverse();
        const base = { server, bucket: server.bucket, partSize: cfg.partSize, queueSize: cfg.queueSize };
        for (const impl of cfg.kinds.includes('transfer') ? order : []) {
          // Swift 2.30's CompleteMultipartUpload schema has no ChecksumCRC32: the -always variants are fauxqs-only.
          if (impl.endsWith('-always') && server.name === 'swift') continue;
          const keyPrefix = `r${round}/${impl}`;
          for (const kind of ['upload', 'download']) {
            const result = await measure({ ...base, impl, kind, keyPrefix, sizeBytes: cfg.sizeBytes });
            samples.push({ server: server.name, impl, kind, ...result });
            log(round, server.name, impl, kind, result);
          }
          await admin({ op: 'deleteKey', server, bucket: server.bucket, key: `${keyPrefix}/blob` });
        }
        for (const impl of cfg.kinds.includes('list') ? order.filter((i) => !i.endsWith('-always')) : []) {
          const keyPrefix = `r${round}/${impl}-list`;
          const seeded = await admin({ op: 'seed', server, bucket: server.bucket, prefix: keyPrefix, keys: cfg.keys });
          if (seeded.count !== cfg.keys) throw new Error(`seeded ${seeded.count} keys, expected ${cfg.keys}`);
          const result = await measure({ ...base, impl, kind: 'listDelete', keyPrefix, keys: cfg.keys });
          const left = await admin({ op: 'count', server, bucket: server.bucket, prefix: keyPrefix });
          if (left.count !== 0) throw new Error(`${impl} left ${left.count} of ${cfg.keys} keys after deleteObjects`);
          samples.push({ server: server.name, impl, kind: 'listDelete', ...result });
          log(round, server.name, impl, 'list+delete', result);
        }
      }
    }
    for (const server of cfg.kinds.includes('cleanup') ? servers.list : []) {
      cleanups.push(
        await benchCleanup(here, server, server.bucket, cfg.cleanupObjects[server.name], cfg.cleanupConcurrency),
      );
    }
  } finally {
    await servers.stop();
  }
  if (cfg.kinds.some((kind) => kind === 'transfer' || kind === 'list')) printReport(samples, cfg);
  printCleanupReport(cleanups);
  if (checksums) printChecksumReport(checksums);
}

function log(round, server, impl, what, r) {
  const mib = (b) => (b / MIB).toFixed(0);
  const times =
    what === 'list+delete'
      ? `list ${r.listSeconds.toFixed(2)} s, delete ${r.deleteSeconds.toFixed(2)} s`
      : `${r.seconds.toFixed(2)} s (${(r.bytes / MIB / r.seconds).toFixed(0)} MiB/s)`;
  console.log(
    `  round ${round} ${server.padEnd(6)} ${impl.padEnd(4)} ${what.padEnd(11)} ${times.padEnd(30)} ` +
      `RSS peak ${mib(r.maxRss)} MiB (sampled ${mib(r.sampledPeak)}), baseline ${mib(r.baseline)} MiB`,
  );
}

main().catch((err) => {
  console.error(`bench failed: ${err?.stack ?? err}`);
  process.exit(1);
});
