// The cleanup bench (`pnpm bench`, BENCH_KINDS=cleanup): a Store's cleanup pass over BENCH_CLEANUP_FAUXQS (100,000)
// objects on fauxqs and BENCH_CLEANUP_SWIFT (20,000) on Swift beside the floor — the bare ListObjectsV2 +
// DeleteObjects a pass cannot do with less — in the same run, each in its own process: wall time, requests
// issued, peak RSS. Two populations of the same objects are seeded (one for the floor, one for the Store).
// The Store's population is written by Store writes, so writes with their own expiry leave their markers in the
// expiry index (store-core store/expiry-index.ts), in a deployment whose index began before them. The Store's
// first pass is a fresh process's (a restart, another instance of a fleet: nothing learned, the index read beside
// the listing); its second pass reuses what the first learned and is set beside a bare listing of what is left.
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { runNode } from './processes.mjs';

const MIB = 1024 * 1024;
const HOUR = 3600_000;

export async function benchCleanup(here, server, bucket, objects, concurrency = 64) {
  const worker = (job) =>
    runNode(join(here, 'cleanup-worker.mjs'), { server, bucket, ...job }, 60 * 60_000, ['--expose-gc']);
  const tag = Date.now().toString(36);
  const prefixes = [`cleanup-${tag}-floor`, `cleanup-${tag}-store`];
  const seedStart = Date.now();
  // The Store's deployment already runs this version: its expiry index began before these objects were written
  // (whole-second servers: a second later, so no object shares the epoch's second).
  const { epoch } = await worker({ op: 'startIndex', prefix: prefixes[1], expiry: HOUR });
  await sleep(Math.max(0, epoch + 1100 - Date.now()));
  const seed = (classes) =>
    worker({ op: 'seed', prefixes, storePrefix: 1, objects, classes, expiry: HOUR, concurrency });
  const old = await seed(['expired', 'perWrite']);
  await sleep(2500);
  const young = await seed(['young']);
  const seedSeconds = (Date.now() - seedStart) / 1000;
  console.log(
    `  cleanup ${server.name}: seeded ${old.written + young.written} objects (2 × ${objects}) in ` +
      `${seedSeconds.toFixed(0)} s, ${concurrency} PUTs in flight per population`,
  );
  // Old objects (written by old.endedAt) are past the default expiry on this clock; young ones (from
  // young.startedAt, a second earlier on whole-second servers) are not.
  const passNow = old.endedAt + 1000 + HOUR;
  if (!(young.startedAt - 1000 + HOUR > passNow)) throw new Error('cleanup bench: young objects not young enough');

  const floor = await worker({ op: 'floor', prefix: prefixes[0] });
  const store = await worker({ op: 'store', prefix: prefixes[1], expiry: HOUR, passNow });
  // What is left, listed bare: the floor's prefix after its deletions (the same objects, no index beside them).
  const listLeft = await worker({ op: 'listOnly', prefix: prefixes[0] });
  const expectedExpired = Array.from({ length: objects }, (_, i) => i % 4 < 2).filter(Boolean).length;
  const { first, second } = store;
  if (first.value.expired !== expectedExpired || first.value.errors !== 0) {
    throw new Error(`cleanup bench: first pass ${JSON.stringify(first.value)}, expected ${expectedExpired} expired`);
  }
  if (second.value.expired !== 0 || second.value.scanned !== objects - expectedExpired) {
    throw new Error(`cleanup bench: second pass ${JSON.stringify(second.value)}`);
  }
  if (floor.value.listed !== objects || listLeft.value.listed !== objects - expectedExpired) {
    throw new Error(`cleanup bench: floor listed ${floor.value.listed}, left ${listLeft.value.listed}`);
  }
  return { server: server.name, objects, seedSeconds, floor, first, second, listLeft };
}

const total = (requests) => Object.values(requests).reduce((a, b) => a + b, 0);
const fmtRequests = (requests) =>
  Object.entries(requests)
    .map(([op, n]) => `${op} ${n}`)
    .join(', ');

export function printCleanupReport(results) {
  if (results.length === 0) return;
  console.log('\ncleanup pass vs the bare ListObjectsV2 + DeleteObjects floor (same run); goal ≤ 1.2×');
  for (const r of results) {
    const rows = [
      ['first pass (fresh process)', r.first, r.floor],
      ['second pass (learned)', r.second, r.listLeft],
    ];
    console.log(`${r.server}: ${r.objects} objects (half expired, a quarter with a later per-write expiry)`);
    for (const [label, pass, floor] of rows) {
      const peak = (m) => (m.peak / MIB).toFixed(0);
      console.log(
        `  ${label.padEnd(27)} ${pass.seconds.toFixed(2)} s vs floor ${floor.seconds.toFixed(2)} s ` +
          `(${(pass.seconds / floor.seconds).toFixed(2)}×); requests ${total(pass.requests)} vs ` +
          `${total(floor.requests)} (${(total(pass.requests) / total(floor.requests)).toFixed(2)}×); ` +
          `peak RSS ${peak(pass)} vs ${peak(floor)} MiB; heap + external after GC ` +
          `${(pass.retained / MIB).toFixed(1)} vs ${(floor.retained / MIB).toFixed(1)} MiB`,
      );
      console.log(`    pass:  ${fmtRequests(pass.requests)}`);
      console.log(`    floor: ${fmtRequests(floor.requests)}`);
    }
  }
}
