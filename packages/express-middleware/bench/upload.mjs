// pnpm bench: multipart uploads through @att/express-middleware (fs backend) vs multer 2 DiskStorage, same
// machine, same run, interleaved rounds. Prints throughput, the median ratio and each server's peak RSS.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import http from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

const MiB = 1024 * 1024;
const ROUNDS_SMALL = Number(process.env.BENCH_ROUNDS_SMALL ?? 5);
const SMALL_UPLOADS = Number(process.env.BENCH_SMALL_UPLOADS ?? 100);
// Untimed rounds of the small workload per server before timing: the JIT compiles each server's hot code during
// the first few hundred uploads, and att's (middleware, store, backend, sniffing) is larger than multer's, so
// without a warm-up the first timed rounds measure compilation more than uploads.
const WARMUP_ROUNDS = Number(process.env.BENCH_WARMUP ?? 2);
const ROUNDS_LARGE = Number(process.env.BENCH_ROUNDS_LARGE ?? 3);
const LARGE_MIB = Number(process.env.BENCH_LARGE_MIB ?? 512);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const here = new URL('.', import.meta.url);

// BENCH_DIR picks the filesystem. The default is /dev/shm (tmpfs) where there is one: both servers write the
// same bytes, and page-cache writeback stalls on a real disk swing single rounds by 2-3× on small VMs, which
// hides the difference being measured. Set BENCH_DIR to a disk path to include the disk.
const defaultDir = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
const work = await mkdtemp(join(process.env.BENCH_DIR ?? defaultDir, 'att-mw-bench-'));
const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });

async function startServer(impl) {
  const dir = join(work, impl);
  // BENCH_NODE_FLAGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") go to both servers, for profiling.
  const flags = (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...flags, new URL('server.mjs', here).pathname, impl, dir], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [line] = await once(child.stdout, 'data');
  return { impl, dir, child, port: Number(String(line).trim()), ids: [] };
}

/** Streams a multipart/form-data body made of `parts` (Buffers or file paths) with an exact Content-Length. */
async function postMultipart(server, file, name) {
  const boundary = `----attbench${randomBytes(8).toString('hex')}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\n` +
      'Content-Type: application/octet-stream\r\n\r\n',
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const size = Buffer.isBuffer(file) ? file.length : (await stat(file)).size;
  const req = http.request({
    host: '127.0.0.1',
    port: server.port,
    path: '/upload',
    method: 'POST',
    agent,
    headers: {
      'content-type': `multipart/form-data; boundary=${boundary}`,
      'content-length': head.length + size + tail.length,
    },
  });
  const answer = new Promise((resolve, reject) => {
    req.on('response', (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString());
        if (res.statusCode !== 201) reject(new Error(`${server.impl}: HTTP ${res.statusCode} ${JSON.stringify(body)}`));
        else resolve(body.files ? body.files[0] : body); // att answers { files, fields }
      });
    });
    req.on('error', reject);
  });
  req.write(head);
  if (Buffer.isBuffer(file)) req.write(file);
  else
    for await (const chunk of createReadStream(file, { highWaterMark: MiB }))
      if (!req.write(chunk)) await once(req, 'drain');
  req.end(tail);
  return answer;
}

/** Removes what one round stored, so disk use stays flat across rounds. */
async function removeStored(server, ids) {
  for (const id of ids.splice(0)) {
    const res = await new Promise((resolve, reject) =>
      http
        .request({ host: '127.0.0.1', port: server.port, path: `/upload/${id}`, method: 'DELETE', agent }, resolve)
        .on('error', reject)
        .end(),
    );
    res.resume();
    if (res.statusCode !== 204) throw new Error(`${server.impl}: DELETE answered ${res.statusCode}`);
  }
}

async function storedBytes(server, answer) {
  if (server.impl === 'multer') return readFile(join(server.dir, answer.id));
  const chunks = [];
  const res = await new Promise((resolve) =>
    http.get({ host: '127.0.0.1', port: server.port, path: `/upload/${answer.id}`, agent }, resolve),
  );
  for await (const c of res) chunks.push(c);
  return Buffer.concat(chunks);
}

async function timeSmall(server, data) {
  const started = process.hrtime.bigint();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < SMALL_UPLOADS) {
        next++;
        const answer = await postMultipart(server, data, 'one.bin');
        if (answer.size !== data.length) throw new Error(`${server.impl}: stored ${answer.size} bytes`);
        server.ids.push(answer.id);
      }
    }),
  );
  return Number(process.hrtime.bigint() - started) / 1e9;
}

async function timeLarge(server, path, size) {
  const started = process.hrtime.bigint();
  const answer = await postMultipart(server, path, 'big.bin');
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (answer.size !== size) throw new Error(`${server.impl}: stored ${answer.size} of ${size} bytes`);
  server.ids.push(answer.id);
  return seconds;
}

async function stats(server, reset = false) {
  const res = await new Promise((resolve) =>
    http.get({ host: '127.0.0.1', port: server.port, path: reset ? '/stats?reset=1' : '/stats', agent }, resolve),
  );
  const chunks = [];
  for await (const c of res) chunks.push(c);
  return JSON.parse(Buffer.concat(chunks).toString());
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (n) => n.toFixed(1).padStart(7);

const servers = [];
const loadAtStart = loadavg()
  .map((x) => x.toFixed(2))
  .join(', ');
try {
  servers.push(await startServer('att'), await startServer('multer'));
  const small = randomBytes(MiB);
  const largePath = join(work, 'large.bin');
  if (ROUNDS_LARGE > 0) {
    const large = createWriteStream(largePath);
    for (let i = 0; i < LARGE_MIB; i++) if (!large.write(randomBytes(MiB))) await once(large, 'drain');
    large.end();
    await once(large, 'finish');
  }

  // Verify first: both store exactly the bytes they were sent.
  for (const server of servers) {
    const answer = await postMultipart(server, small, 'check.bin');
    if (!(await storedBytes(server, answer)).equals(small)) throw new Error(`${server.impl} altered the bytes`);
    server.ids.push(answer.id);
    await removeStored(server, server.ids);
  }
  console.log('verified: both implementations store the uploaded bytes unchanged');
  for (let round = 0; round < WARMUP_ROUNDS; round++) {
    for (const server of round % 2 === 0 ? servers : [...servers].reverse()) {
      await timeSmall(server, small);
      await removeStored(server, server.ids);
    }
  }

  const results = {};
  for (const [label, rounds, run, bytes] of [
    [`${SMALL_UPLOADS} × 1 MiB`, ROUNDS_SMALL, (s) => timeSmall(s, small), SMALL_UPLOADS * MiB],
    [`1 × ${LARGE_MIB} MiB`, ROUNDS_LARGE, (s) => timeLarge(s, largePath, LARGE_MIB * MiB), LARGE_MIB * MiB],
  ]) {
    if (rounds === 0) continue;
    const times = { att: [], multer: [] };
    const cpu = { att: 0, multer: 0 };
    const peak = { att: 0, multer: 0 };
    const ratios = [];
    const cpuRatios = [];
    for (let round = 0; round < rounds; round++) {
      // Alternate who goes first so warm caches and disk state favour neither.
      const order = round % 2 === 0 ? servers : [...servers].reverse();
      const seconds = {};
      const roundCpu = {};
      for (const server of order) {
        const before = (await stats(server, true)).cpuSeconds;
        seconds[server.impl] = await run(server);
        const after = await stats(server, true);
        roundCpu[server.impl] = after.cpuSeconds - before;
        cpu[server.impl] += roundCpu[server.impl];
        peak[server.impl] = Math.max(peak[server.impl], after.peakRss);
        times[server.impl].push(seconds[server.impl]);
        await removeStored(server, server.ids);
      }
      ratios.push(seconds.multer / seconds.att);
      cpuRatios.push(roundCpu.multer / roundCpu.att);
    }
    const mibps = (impl) => bytes / MiB / median(times[impl]);
    results[label] = median(ratios);
    console.log(
      `${label.padEnd(14)} att ${fmt(mibps('att'))} MiB/s   multer ${fmt(mibps('multer'))} MiB/s   ` +
        `ratio (att/multer throughput, median of ${rounds}) ${median(ratios).toFixed(2)}×`,
    );
    console.log(`${''.padEnd(14)} per round: ${ratios.map((r) => r.toFixed(2)).join(' ')}`);
    const perGiB = (impl) => (cpu[impl] / ((bytes * rounds) / 1024 ** 3)).toFixed(2);
    console.log(
      `${''.padEnd(14)} server CPU per GiB: att ${perGiB('att')} s, multer ${perGiB('multer')} s ` +
        `(multer/att ${(cpu.multer / cpu.att).toFixed(2)}×; median of the rounds' ratios ${median(cpuRatios).toFixed(2)}×)`,
    );
    console.log(
      `${''.padEnd(14)} peak RSS while uploading: att ${fmt(peak.att / MiB)} MiB, multer ${fmt(peak.multer / MiB)} MiB ` +
        `(att − multer ${((peak.att - peak.multer) / MiB).toFixed(1)} MiB)`,
    );
  }
  console.log(
    `(files in ${work.startsWith('/dev/shm') ? 'tmpfs /dev/shm' : work}; fs backend fsync ${process.env.BENCH_FSYNC === '1' ? 'on' : 'off'})`,
  );
  const load = loadavg()
    .map((x) => x.toFixed(2))
    .join(', ');
  console.log(
    `warm-up: ${WARMUP_ROUNDS} untimed round(s) of ${SMALL_UPLOADS} × 1 MiB per server, concurrency ${CONCURRENCY}`,
  );
  console.log(`load average at the start: ${loadAtStart}; at the end: ${load} (${cpus().length} CPUs)`);
} finally {
  for (const server of servers) server.child.kill();
  agent.destroy();
  await rm(work, { recursive: true, force: true });
}
