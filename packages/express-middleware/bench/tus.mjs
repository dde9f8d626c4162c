// pnpm bench (tus part): 256 MiB through tus with tus-js-client, att vs @tus/server + @tus/file-store on disk and
// vs @tus/s3-store on Swift and fauxqs, each server in its own process, rounds interleaved. Prints throughput, the median
// ratio, each server's peak RSS, and the S3 requests and bytes each upload cost (counted by a loopback proxy).
// Env: BENCH_TUS_MIB (256), BENCH_TUS_ROUNDS (3), BENCH_CHUNK_MIB (8), BENCH_FSYNC (0), BENCH_TUS_CASES,
// BENCH_TUS_IN_EXPRESS=1 (@tus/server mounted in an Express app, as att always is).
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tus from 'tus-js-client';
import { runNode, startServers } from '../../backend-s3/bench/processes.mjs';

const MiB = 1024 * 1024;
const SIZE = Number(process.env.BENCH_TUS_MIB ?? 256) * MiB;
const ROUNDS = Number(process.env.BENCH_TUS_ROUNDS ?? 3);
const CHUNK = Number(process.env.BENCH_CHUNK_MIB ?? 8) * MiB;
const here = new URL('.', import.meta.url);
const work = await mkdtemp(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'att-tus-bench-'));

// Every S3 request, counted by kind, through a loopback proxy in front of the server.
const counts = new Map();
function kindOf(req) {
  const url = new URL(req.url, 'http://x');
  const q = url.searchParams;
  if (req.method === 'POST' && q.has('uploads')) return 'CreateMultipartUpload';
  if (req.method === 'POST' && q.has('uploadId')) return 'CompleteMultipartUpload';
  if (req.method === 'PUT' && q.has('partNumber')) return 'UploadPart';
  if (req.method === 'DELETE' && q.has('uploadId')) return 'AbortMultipartUpload';
  if (req.method === 'GET' && q.has('uploadId')) return 'ListParts';
  if (req.method === 'POST' && q.has('delete')) return 'DeleteObjects';
  if (req.method === 'GET' && q.has('list-type')) return 'ListObjectsV2';
  return { GET: 'GetObject', PUT: 'PutObject', HEAD: 'HeadObject', DELETE: 'DeleteObject' }[req.method] ?? req.method;
}

/** A loopback proxy that counts every request it forwards to `target` (Host is passed on: signatures hold). */
async function countingProxy(target) {
  const { hostname, port } = new URL(target);
  const proxy = http.createServer((req, res) => {
    const kind = kindOf(req);
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
    // Bytes sent to S3 and read back: a store that re-downloads its growing tail shows it here.
    req.on('data', (chunk) => counts.set('MiB up', (counts.get('MiB up') ?? 0) + chunk.length / MiB));
    const upstream = http.request(
      { host: hostname, port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.on('data', (chunk) => counts.set('MiB down', (counts.get('MiB down') ?? 0) + chunk.length / MiB));
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  proxy.listen(0, '127.0.0.1');
  await once(proxy, 'listening');
  return { endpoint: `http://127.0.0.1:${proxy.address().port}`, close: () => proxy.close() };
}

async function startServer(impl, s3) {
  const dir = join(work, impl);
  const args = [new URL('tus-server.mjs', here).pathname, impl, dir, ...(s3 ? [JSON.stringify(s3)] : [])];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = await once(child.stdout, 'data');
  const port = Number(String(line).trim());
  return { impl, child, port, endpoint: `http://127.0.0.1:${port}/files/uploads`, ms: [], requests: [] };
}

async function stats(server) {
  return (await fetch(`http://127.0.0.1:${server.port}/stats`)).json();
}

function uploadOnce(server, data, chunkSize) {
  return new Promise((resolve, reject) => {
    const upload = new tus.Upload(data, {
      endpoint: server.endpoint,
      chunkSize,
      retryDelays: [],
      metadata: { filename: 'bench.bin', filetype: 'application/octet-stream' },
      onError: reject,
      onSuccess: () => resolve(upload.url),
    });
    upload.start();
  });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const mibs = (ms) => SIZE / MiB / (ms / 1000);

async function runCase(label, impls, s3, chunkSize, data, digest) {
  const servers = [];
  for (const impl of impls) servers.push(await startServer(impl, s3));
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (const server of round % 2 ? [...servers].reverse() : servers) {
        if (server.failed) continue;
        counts.clear();
        const started = performance.now();
        let url;
        try {
          url = await uploadOnce(server, data, chunkSize);
        } catch (err) {
          server.failed = String(err.message ?? err).split('\n')[0];
          continue;
        }
        server.ms.push(performance.now() - started);
        server.requests.push(Object.fromEntries(counts));
        server.lastUrl = url;
      }
    }
    console.log(`\n${label} (${SIZE / MiB} MiB, chunks of ${(chunkSize / MiB).toFixed(3)} MiB, ${ROUNDS} rounds)`);
    for (const server of servers) {
      if (server.failed) {
        console.log(`  ${server.impl.padEnd(7)} failed: ${server.failed}`);
        continue;
      }
      const { peakRss, idleRss } = await stats(server);
      server.peakRss = peakRss;
      if (server.impl.startsWith('att')) {
        // att's bytes are checked once per case, after its RSS was read (a download would count in it): the
        // attachment must be the upload.
        const id = server.lastUrl.split('/').pop();
        const res = await fetch(`http://127.0.0.1:${server.port}/files/${id}`);
        const got = createHash('sha256')
          .update(Buffer.from(await res.arrayBuffer()))
          .digest('hex');
        if (got !== digest) throw new Error(`${server.impl}: the downloaded attachment differs from the upload`);
      }
      const { 'MiB up': up = 0, 'MiB down': down = 0, ...reqs } = server.requests.at(-1);
      const total = Object.values(reqs).reduce((a, b) => a + b, 0);
      console.log(
        `  ${server.impl.padEnd(7)} ${server.ms
          .map((ms) => mibs(ms).toFixed(0))
          .join(' / ')
          .padEnd(20)} MiB/s, ` +
          `median ${mibs(median(server.ms)).toFixed(0)}, peak RSS ${(peakRss / MiB).toFixed(0)} MiB ` +
          `(idle ${(idleRss / MiB).toFixed(0)})` +
          (s3
            ? `, S3 per upload: ${total} requests, ${up.toFixed(0)} MiB up, ${down.toFixed(0)} MiB down ` +
              JSON.stringify(reqs)
            : ''),
      );
    }
    const [ours, theirs] = servers;
    if (ours.failed || theirs.failed) return;
    console.log(
      `  att / @tus: throughput ${(median(theirs.ms) / median(ours.ms)).toFixed(2)}×, ` +
        `peak RSS ${(ours.peakRss / theirs.peakRss).toFixed(2)}×`,
    );
  } finally {
    for (const server of servers) server.child.kill();
  }
}

// Cases: fs; <server> (8 MiB chunks) and <server>-small (5 MiB − 1 KiB chunks) for swift and fauxqs. @tus/s3-store
// needs ListParts, which fauxqs does not implement: on fauxqs its runs fail and only att's are reported.
const cases = (process.env.BENCH_TUS_CASES ?? 'fs,swift,swift-small,fauxqs-small').split(',');
const data = randomBytes(SIZE);
const digest = createHash('sha256').update(data).digest('hex');
const wanted = ['swift', 'fauxqs'].filter((name) => cases.some((c) => c.startsWith(name)));
const backendS3Bench = new URL('../../backend-s3/bench/', import.meta.url).pathname;
const servers = wanted.length ? await startServers(join(backendS3Bench, 'servers.mjs'), wanted) : undefined;
try {
  if (cases.includes('fs')) {
    await runCase(
      'fs: att (fs backend) vs @tus/server + @tus/file-store',
      ['att-fs', 'tus-fs'],
      undefined,
      CHUNK,
      data,
      digest,
    );
  }
  for (const server of servers?.list ?? []) {
    const bucket = `att-tus-bench-${Date.now().toString(36)}`;
    await runNode(join(backendS3Bench, 'admin.mjs'), { op: 'createBucket', server, bucket }, 60_000);
    const proxy = await countingProxy(server.endpoint);
    const s3 = {
      endpoint: proxy.endpoint,
      bucket,
      accessKeyId: server.accessKeyId,
      secretAccessKey: server.secretAccessKey,
    };
    try {
      const label = `${server.name}: att (S3 backend) vs @tus/server + @tus/s3-store`;
      if (cases.includes(server.name)) await runCase(label, ['att-s3', 'tus-s3'], s3, CHUNK, data, digest);
      if (cases.includes(`${server.name}-small`)) {
        await runCase(`${label}, 5 MiB − 1 KiB chunks`, ['att-s3', 'tus-s3'], s3, 5 * MiB - 1024, data, digest);
      }
    } finally {
      proxy.close();
    }
  }
} finally {
  await servers?.stop();
  await rm(work, { recursive: true, force: true });
}
