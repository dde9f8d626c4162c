// `pnpm bench` (examples/express-server): what direct-to-bucket uploads save the server. 20 × 24 MiB through the
// example against Swift, proxied (raw POST to /attachments, the server streams each file to S3) and direct (the
// signing calls the page's Uppy makes — create, sign 5 parts, complete — with the parts PUT straight to Swift),
// each mode served by its own example process, uploads interleaved in one run. Each server's CPU time (utime +
// stime) and peak RSS (VmHWM) come from /proc, read before and after the run: the servers run nothing for the
// bench. Prints CPU seconds per GiB uploaded and peak RSS over the run, and the ratios. BENCH_DIRECT_FILES / BENCH_DIRECT_MIB
// change the workload.
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { createInterface } from 'node:readline';
import { signRequest } from '@att/s3-sigv4';
import { SWIFT_CREDENTIALS, startSwift } from '../../../packages/backend-s3/test/setup/s3-servers.mjs';

const MiB = 1024 * 1024;
const FILES = Number(process.env.BENCH_DIRECT_FILES ?? 20);
const SIZE = Number(process.env.BENCH_DIRECT_MIB ?? 24) * MiB;
const serverScript = new URL('./server.js', import.meta.url).pathname;
/** Kernel clock ticks per second (USER_HZ): 100 on Linux. */
const TICKS = 100;

/** CPU seconds (user + system) of process `pid` so far, from /proc/<pid>/stat. */
function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may contain spaces) start at state: utime and stime are 14th and 15th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS;
}

/** Peak resident set of process `pid` so far (VmHWM), in bytes. */
function peakRss(pid) {
  const kib = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kib) * 1024;
}

function startServer(mode, storage) {
  const child = spawn(process.execPath, [serverScript, mode, storage], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  return new Promise((resolve, reject) => {
    child.on('exit', (code) => reject(new Error(`${mode} server exited with ${code}`)));
    createInterface({ input: child.stdout }).once('line', (line) => {
      const { port } = JSON.parse(line);
      resolve({
        mode,
        base: `http://127.0.0.1:${port}`,
        cpuSeconds: () => cpuSeconds(child.pid),
        peakRss: () => peakRss(child.pid),
        async stop() {
          child.stdin.end();
          const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
          await exited;
          clearTimeout(timer);
        },
      });
    });
  });
}

async function json(res, what) {
  const body = await res.json();
  if (!res.ok) throw new Error(`${what}: ${res.status} ${JSON.stringify(body)}`);
  return body;
}

async function uploadProxied(server, data, name) {
  const res = await fetch(`${server.base}/attachments/?filename=${name}`, { method: 'POST', body: data });
  return (await json(res, 'proxied upload')).id;
}

/** What @uppy/aws-s3 does for a file over the page's multipart threshold, parts 3 at a time. */
async function uploadDirect(server, data, name) {
  const api = `${server.base}/attachments/s3`;
  // The page reads the part size once, when it starts.
  server.partSize ??= (await json(await fetch(`${api}/config`), 'config')).partSize;
  const { partSize } = server;
  const created = await json(
    await fetch(`${api}/multipart`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ filename: name, type: 'application/octet-stream', metadata: { size: data.length } }),
    }),
    'create',
  );
  const q = `key=${encodeURIComponent(created.key)}`;
  const upload = encodeURIComponent(created.uploadId);
  const numbers = Array.from({ length: Math.ceil(data.length / partSize) }, (_, i) => i + 1);
  const parts = [];
  const next = async () => {
    for (let n = numbers.shift(); n !== undefined; n = numbers.shift()) {
      const signed = await json(await fetch(`${api}/multipart/${upload}/${n}?${q}`), `sign ${n}`);
      const body = data.subarray((n - 1) * partSize, n * partSize);
      const put = await fetch(signed.url, { method: 'PUT', headers: signed.headers, body });
      if (put.status !== 200) throw new Error(`part ${n}: ${put.status} ${await put.text()}`);
      parts.push({ PartNumber: n, ETag: put.headers.get('etag') });
    }
  };
  await Promise.all([next(), next(), next()]);
  const done = await fetch(`${api}/multipart/${upload}/complete?${q}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ parts }),
  });
  return (await json(done, 'complete')).id;
}

async function createBucket(endpoint) {
  const bucket = `bench-${randomUUID().slice(0, 8)}`;
  const url = `${endpoint}/${bucket}`;
  const { headers } = signRequest(
    { method: 'PUT', url },
    { ...SWIFT_CREDENTIALS, service: 's3', signedPayload: false },
  );
  const res = await fetch(url, { method: 'PUT', headers });
  if (res.status !== 200) throw new Error(`create bucket: ${res.status}`);
  return bucket;
}

const swift = await startSwift();
const servers = [];
try {
  const { accessKeyId, secretAccessKey, region } = SWIFT_CREDENTIALS;
  const storage = async () =>
    `s3://${encodeURIComponent(accessKeyId)}:${encodeURIComponent(secretAccessKey)}@${await createBucket(swift.endpoint)}/att?region=${region}&endpoint=${encodeURIComponent(swift.endpoint)}&forcePathStyle=true`;
  const proxied = await startServer('proxied', await storage());
  servers.push(proxied);
  const direct = await startServer('direct', await storage());
  servers.push(direct);
  const data = randomBytes(SIZE);
  // One warm-up upload each (module loading, first connections), not counted.
  await uploadProxied(proxied, data, 'warm.bin');
  await uploadDirect(direct, data, 'warm.bin');
  const load = loadavg()[0];
  const wall = { proxied: 0, direct: 0 };
  const before = { proxied: proxied.cpuSeconds(), direct: direct.cpuSeconds() };
  const run = {
    proxied: (i) => uploadProxied(proxied, data, `f${i}.bin`),
    direct: (i) => uploadDirect(direct, data, `f${i}.bin`),
  };
  for (let i = 0; i < FILES; i++) {
    // Interleaved, alternating which goes first, so a busy moment of the machine hits both.
    for (const server of i % 2 === 0 ? [proxied, direct] : [direct, proxied]) {
      const start = performance.now();
      await run[server.mode](i);
      wall[server.mode] += performance.now() - start;
    }
  }
  // Each server serves only its own mode, so its CPU time over the run is that mode's.
  const cpu = { proxied: proxied.cpuSeconds() - before.proxied, direct: direct.cpuSeconds() - before.direct };
  const gib = (FILES * SIZE) / 1024 ** 3;
  const rows = [];
  for (const server of [proxied, direct]) {
    const peakRss = server.peakRss();
    rows.push({
      mode: server.mode,
      'CPU s / GiB': (cpu[server.mode] / gib).toFixed(3),
      'peak RSS MiB': (peakRss / MiB).toFixed(1),
      'wall s': (wall[server.mode] / 1000).toFixed(1),
    });
    server.peak = peakRss;
  }
  console.log(
    `direct vs proxied uploads: ${FILES} × ${SIZE / MiB} MiB through the example on Swift (load ${load.toFixed(2)})`,
  );
  console.table(rows);
  console.log(
    `server CPU: proxied/direct = ${(cpu.proxied / cpu.direct).toFixed(1)}×; peak RSS: proxied/direct = ${(proxied.peak / direct.peak).toFixed(2)}× (load now ${loadavg()[0].toFixed(2)})`,
  );
} finally {
  await Promise.all(servers.map((s) => s.stop()));
  await swift.stop();
}
