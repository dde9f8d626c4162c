// pnpm bench: what sharing the state in Redis costs an upload. 1 MiB raw uploads at concurrency 16 through
// @att/express-middleware on the fs backend, with every limit on, the state in memory vs in Redis on loopback,
// interleaved rounds in one run. Prints throughput, the median ratio and the Redis commands per upload (counted
// by Redis itself: EVALSHA/EVAL calls in INFO commandstats, one per script run, i.e. one per round trip).
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { benchWorkDir, uploadBenchClient } from '../../../scripts/bench-upload-servers.mjs';
import { startRedis } from '../../../scripts/redis-server.mjs';

const MiB = 1024 * 1024;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const UPLOADS = Number(process.env.BENCH_UPLOADS ?? 256);
const CONCURRENCY = 16;
const here = new URL('.', import.meta.url);
const work = await benchWorkDir('att-state-bench-');
const { agent, startServer: startChild, request, pool, removeStored, stopServer } = uploadBenchClient(CONCURRENCY);
const startServer = async (kind, url) => ({
  kind,
  ...(await startChild(kind, new URL('server.mjs', here), [kind, join(work, kind), url ?? ''])),
});

async function upload(server, data) {
  const answer = await request(server, 'POST', '/upload/?filename=one.bin', data);
  if (answer.status !== 201) throw new Error(`${server.kind}: HTTP ${answer.status} ${answer.body}`);
  const { id, size } = JSON.parse(answer.body.toString());
  if (size !== data.length) throw new Error(`${server.kind}: stored ${size} of ${data.length} bytes`);
  server.ids.push(id);
}

async function cpuSeconds(server) {
  return JSON.parse((await request(server, 'GET', '/stats')).body.toString()).cpuSeconds;
}

/** Script runs (EVALSHA + EVAL: one per round trip of ours) and the CPU seconds redis-server used, from Redis. */
async function redisCalls(admin) {
  const text = await admin.info('commandstats');
  const calls = Object.fromEntries([...text.matchAll(/cmdstat_([^:]+):calls=(\d+)/g)].map((m) => [m[1], Number(m[2])]));
  const cpu = await admin.info('cpu');
  const seconds = (name) => Number(new RegExp(`${name}:([\\d.]+)`).exec(cpu)?.[1] ?? 0);
  return {
    scripts: (calls.evalsha ?? 0) + (calls.eval ?? 0),
    cpuSeconds: seconds('used_cpu_user') + seconds('used_cpu_sys'),
  };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (n) => n.toFixed(1).padStart(7);

const redis = await startRedis();
const admin = new Redis(redis.url);
const servers = [];
try {
  servers.push(await startServer('memory'), await startServer('redis', redis.url));
  const data = randomBytes(MiB);
  for (const server of servers) {
    await pool(CONCURRENCY, () => upload(server, data)); // warm-up: JIT, connections, script cache
    await removeStored(server);
  }
  const times = { memory: [], redis: [] };
  const cpu = { memory: 0, redis: 0 };
  const ratios = [];
  let scripts = 0;
  let redisCpu = 0;
  for (let round = 0; round < ROUNDS; round++) {
    // Alternate who goes first so warm caches favour neither.
    const order = round % 2 === 0 ? servers : [...servers].reverse();
    const seconds = {};
    for (const server of order) {
      const before = await redisCalls(admin);
      const cpuBefore = await cpuSeconds(server);
      const started = process.hrtime.bigint();
      await pool(UPLOADS, () => upload(server, data));
      seconds[server.kind] = Number(process.hrtime.bigint() - started) / 1e9;
      cpu[server.kind] += (await cpuSeconds(server)) - cpuBefore;
      if (server.kind === 'redis') {
        const after = await redisCalls(admin);
        scripts += after.scripts - before.scripts;
        redisCpu += after.cpuSeconds - before.cpuSeconds;
      }
      times[server.kind].push(seconds[server.kind]);
      await removeStored(server);
    }
    ratios.push(seconds.memory / seconds.redis);
  }
  const mibps = (kind) => UPLOADS / median(times[kind]);
  const sum = (xs) => xs.reduce((a, b) => a + b, 0);
  console.log(
    `${UPLOADS} × 1 MiB, concurrency ${CONCURRENCY}: memory state ${fmt(mibps('memory'))} MiB/s   ` +
      `redis state ${fmt(mibps('redis'))} MiB/s (medians)`,
  );
  console.log(
    `ratio redis/memory throughput: median of ${ROUNDS} rounds ${median(ratios).toFixed(3)}×, ` +
      `all rounds together ${(sum(times.memory) / sum(times.redis)).toFixed(3)}× ` +
      `(per round: ${ratios.map((r) => r.toFixed(2)).join(' ')})`,
  );
  // CPU time is what a busy machine distorts least: on a CPU-bound host it predicts the throughput ratio.
  const perGiB = (seconds) => (seconds / ((UPLOADS * ROUNDS) / 1024)).toFixed(2);
  console.log(
    `CPU per GiB uploaded: memory state: server ${perGiB(cpu.memory)} s; redis state: server ${perGiB(cpu.redis)} s ` +
      `+ redis-server ${perGiB(redisCpu)} s; ratio memory/(redis total) ${(cpu.memory / (cpu.redis + redisCpu)).toFixed(3)}×`,
  );
  console.log(
    `Redis commands per upload (script runs, incl. reservation renewals): ${(scripts / (UPLOADS * ROUNDS)).toFixed(2)}`,
  );
  console.log(
    `(files in ${work.startsWith('/dev/shm') ? 'tmpfs /dev/shm' : work}; fs backend fsync off; Redis on loopback)`,
  );
} finally {
  for (const server of servers) {
    await stopServer(server);
  }
  admin.disconnect();
  await redis.stop();
  agent.destroy();
  await rm(work, { recursive: true, force: true });
}
