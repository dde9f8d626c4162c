// pnpm bench: what @att/otel costs an upload. 1 MiB raw uploads at concurrency 16 through the middleware on the
// fs backend, three servers in interleaved rounds: two without OpenTelemetry (their difference is the noise
// floor) and one with the SDK recording metrics and spans into in-memory exporters. Then the cost of att's
// reporting with no subscriber: what one `hasSubscribers` guard costs, times the guards an upload passes.
import { randomBytes } from 'node:crypto';
import { channel } from 'node:diagnostics_channel';
import { rm } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { benchWorkDir, uploadBenchClient } from '../../../scripts/bench-upload-servers.mjs';
import { perUploadMicros } from './per-upload.mjs';

const MiB = 1024 * 1024;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const UPLOADS = Number(process.env.BENCH_UPLOADS ?? 256);
const CONCURRENCY = 16;
const here = new URL('.', import.meta.url);
const work = await benchWorkDir('att-otel-bench-');
const {
  agent,
  startServer: startChild,
  request,
  pool,
  removeStored: removeIds,
  stopServer,
} = uploadBenchClient(CONCURRENCY);
const startServer = (name, kind) => startChild(name, new URL('server.mjs', here), [kind, join(work, name)]);
// The bench servers keep the default delete rule (deny): a 403 is accepted, and the files go with `work`.
const removeStored = (server) => removeIds(server, [204, 403]);

async function upload(server, data) {
  const answer = await request(server, 'POST', '/upload/', data);
  if (answer.status !== 201) throw new Error(`${server.name}: HTTP ${answer.status} ${answer.body}`);
  server.ids.push(JSON.parse(answer.body.toString()).id);
}

async function stats(server) {
  return JSON.parse((await request(server, 'GET', '/stats')).body.toString());
}

/** Nanoseconds per `hasSubscribers` read of a channel nobody subscribes to (plus the loop). */
function guardNanos() {
  const ch = channel('att:bench:unsubscribed');
  let hits = 0;
  const n = 50_000_000;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) if (ch.hasSubscribers) hits++;
  const ns = Number(process.hrtime.bigint() - t0) / n;
  if (hits !== 0) throw new Error('subscribed?');
  return ns;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const sum = (xs) => xs.reduce((a, b) => a + b, 0);
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

const loadBefore = load();
const servers = [];
try {
  servers.push(
    await startServer('plain', 'plain'),
    await startServer('plain2', 'plain'),
    await startServer('otel', 'otel'),
  );
  const data = randomBytes(MiB);
  for (const server of servers) {
    await pool(CONCURRENCY * 2, () => upload(server, data)); // warm-up: JIT, connections
    await removeStored(server);
  }
  const times = Object.fromEntries(servers.map((s) => [s.name, []]));
  const cpu = Object.fromEntries(servers.map((s) => [s.name, 0]));
  let spans = 0;
  for (let round = 0; round < ROUNDS; round++) {
    // Rotate who goes first so warm caches and background load favour nobody.
    const order = servers.map((_, i) => servers[(i + round) % servers.length]);
    for (const server of order) {
      const before = await stats(server);
      const started = process.hrtime.bigint();
      await pool(UPLOADS, () => upload(server, data));
      times[server.name].push(Number(process.hrtime.bigint() - started) / 1e9);
      const after = await stats(server);
      cpu[server.name] += after.cpuSeconds - before.cpuSeconds;
      spans += after.spans;
      await removeStored(server);
    }
  }
  const mibps = (name) => UPLOADS / median(times[name]);
  const ratio = (a, b) => sum(times[a]) / sum(times[b]);
  const perRound = (a, b) => times[a].map((t, i) => (t / times[b][i]).toFixed(2)).join(' ');
  console.log(
    `${UPLOADS} × 1 MiB uploads, concurrency ${CONCURRENCY}, ${ROUNDS} interleaved rounds (fs backend on ${work.startsWith('/dev/shm') ? 'tmpfs' : 'disk'})`,
  );
  for (const name of Object.keys(times)) {
    console.log(
      `  ${name.padEnd(7)} median ${mibps(name).toFixed(1).padStart(6)} MiB/s, server CPU ${(cpu[name] / ((UPLOADS * ROUNDS) / 1024)).toFixed(2)} s/GiB`,
    );
  }
  console.log(
    `throughput otel/plain: all rounds ${ratio('plain', 'otel').toFixed(3)}× (per round ${perRound('plain', 'otel')})`,
  );
  console.log(
    `noise floor plain2/plain: all rounds ${ratio('plain', 'plain2').toFixed(3)}× (per round ${perRound('plain', 'plain2')})`,
  );
  console.log(
    `server CPU otel/plain: ${(cpu.otel / cpu.plain).toFixed(3)}×   (plain2/plain ${(cpu.plain2 / cpu.plain).toFixed(3)}×; spans exported: ${spans})`,
  );
  // Guards an upload passes with nobody listening: the request reporter, the answered-code note, the Store's
  // write event, and (on S3) one per S3 request; 8 is generous.
  const ns = guardNanos();
  const uploadNs = (median(times.plain) / UPLOADS) * 1e9 * CONCURRENCY;
  console.log(
    `no subscriber: one hasSubscribers guard ${ns.toFixed(2)} ns; 8 per upload = ${(8 * ns).toFixed(0)} ns of an upload's ` +
      `${(uploadNs / 1e6).toFixed(1)} ms (${((8 * ns * 100) / uploadNs).toExponential(1)} %)`,
  );
  const cost = await perUploadMicros();
  const plainMicros = (cpu.plain / (UPLOADS * ROUNDS)) * 1e6;
  console.log(
    `in-process: @att/otel records one upload (request + write event: 2 counters, 2 histograms, 1 span) in ` +
      `${cost.att.toFixed(1)} µs of CPU = ${((cost.att * 100) / plainMicros).toFixed(2)} % of the ${(plainMicros / 1000).toFixed(2)} ms ` +
      `CPU a 1 MiB upload costs the plain server; with nobody subscribed the same reports cost ${(cost.quiet * 1000).toFixed(0)} ns`,
  );
  console.log(`load average before: ${loadBefore}; after: ${load()} (${(await import('node:os')).cpus().length} CPUs)`);
} finally {
  for (const server of servers) {
    await stopServer(server);
  }
  agent.destroy();
  await rm(work, { recursive: true, force: true });
}
