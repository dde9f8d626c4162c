// Lifecycle of the real S3 servers used by the tests (vitest globalSetup) and by the benchmark launcher.
// Plain ESM JavaScript on purpose: `node bench/run.mjs` imports it without a TypeScript loader.
// Types: s3-servers.d.mts.
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';

// The SDK's "node >= 22 soon" warning is noise in test and bench output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const here = dirname(fileURLToPath(import.meta.url));
export const SWIFT_CREDENTIALS = Object.freeze({
  region: 'us-east-1',
  accessKeyId: 'test:tester',
  secretAccessKey: 'testing',
});
/** fauxqs accepts any credentials; these are only what our clients send. */
export const FAUXQS_CREDENTIALS = Object.freeze({
  region: 'us-east-1',
  accessKeyId: 'fauxqs',
  secretAccessKey: 'fauxqs',
});

function run(script, args, timeoutMs) {
  return new Promise((resolve, reject) => {
    execFile(
      'bash',
      [join(here, script), ...args],
      { timeout: timeoutMs, maxBuffer: 16 << 20 },
      (err, stdout, stderr) => {
        if (err) {
          const tail = `${stdout}\n${stderr}`.trim().split('\n').slice(-25).join('\n');
          reject(new Error(`${script} failed (${err.killed ? 'timed out' : `exit ${err.code}`}):\n${tail}`));
        } else resolve(stdout);
      },
    );
  });
}

/** Installs Swift + memcached from Debian if missing (idempotent, fast when installed). Throws if impossible. */
export async function installSwift() {
  await run('install-swift.sh', [], 15 * 60_000);
}

function portFree(port) {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen({ host: '127.0.0.1', port, exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

/** A random block of `count` consecutive free loopback ports in 20000–60000 (50 tries at most). */
export async function findFreePortBlock(count = 5) {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20000 + Math.floor(Math.random() * (40000 - count));
    let free = true;
    for (let p = base; p < base + count && free; p++) free = await portFree(p);
    if (free) return base;
  }
  throw new Error(`no block of ${count} free ports found on 127.0.0.1`);
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const waitForExit = async (pids, ms) => {
  const deadline = Date.now() + ms;
  while (pids.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
};

/** SIGTERM each pid, wait (bounded) for them to exit, SIGKILL whatever is left and wait for that too. */
export async function stopPids(pids, timeoutMs = 15_000) {
  for (const pid of pids) if (alive(pid)) process.kill(pid, 'SIGTERM');
  await waitForExit(pids, timeoutMs);
  for (const pid of pids) if (alive(pid)) process.kill(pid, 'SIGKILL');
  await waitForExit(pids, 5_000);
}

/** Removes a server's temp dir; retries because a just-killed server may still have been writing into it. */
const removeDir = (dir) => rm(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });

/** Retries a signed ListBuckets until tempauth + memcached + s3api answer (bounded), so tests never race startup. */
async function waitForS3(endpoint, credentials, timeoutMs) {
  const { region, accessKeyId, secretAccessKey } = credentials;
  const client = new S3Client({
    endpoint,
    region,
    forcePathStyle: true,
    maxAttempts: 1,
    credentials: { accessKeyId, secretAccessKey },
  });
  const deadline = Date.now() + timeoutMs;
  let lastError;
  try {
    while (Date.now() < deadline) {
      try {
        await client.send(new ListBucketsCommand({}));
        return;
      } catch (err) {
        lastError = err;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  } finally {
    client.destroy();
  }
  throw new Error(`S3 API at ${endpoint} not ready after ${timeoutMs} ms: ${lastError?.name}: ${lastError?.message}`);
}

/**
 * Installs (if needed) and starts a one-node Swift with s3api in a fresh temp dir on a free port block.
 * Retries on another port block if the first start fails (a port taken between the check and the bind).
 * Returns { endpoint, dir, pids, stop() }; stop() is idempotent and removes the temp dir.
 */
export async function startSwift({ install = true, attempts = 3 } = {}) {
  if (install) await installSwift();
  const errors = [];
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const dir = await mkdtemp(join(tmpdir(), 'att-swift-'));
    const port = await findFreePortBlock(5);
    let pids = [];
    const readPids = async () =>
      (await readFile(join(dir, 'pids'), 'utf8').catch(() => '')).split('\n').filter(Boolean).map(Number);
    try {
      const out = await run('start-swift-s3.sh', [dir, String(port)], 90_000);
      pids = await readPids();
      const endpoint = /S3_ENDPOINT=(\S+)/.exec(out)?.[1];
      if (!endpoint) throw new Error(`start-swift-s3.sh printed no S3_ENDPOINT:\n${out}`);
      await waitForS3(endpoint, SWIFT_CREDENTIALS, 30_000);
      let stopped = false;
      // Last resort if the process ends without stop(): no server outlives its test run.
      const killOnExit = () => {
        for (const pid of pids) if (alive(pid)) process.kill(pid, 'SIGKILL');
        try {
          rmSync(dir, { recursive: true, force: true, maxRetries: 2 });
        } catch {
          // a dying server may still hold a file; the OS temp dir is cleaned eventually
        }
      };
      process.once('exit', killOnExit);
      return {
        endpoint,
        dir,
        pids,
        async stop() {
          if (stopped) return;
          stopped = true;
          process.removeListener('exit', killOnExit);
          await stopPids(pids);
          await removeDir(dir);
        },
      };
    } catch (err) {
      errors.push(`attempt ${attempt} (port ${port}): ${err.message}`);
      const logs = await readFile(join(dir, 'log', 'proxy.log'), 'utf8').catch(() => '');
      if (logs) errors.push(`proxy.log tail:\n${logs.split('\n').slice(-15).join('\n')}`);
      await stopPids(pids.length ? pids : await readPids());
      await removeDir(dir);
    }
  }
  throw new Error(`could not start Swift (S3 test server):\n${errors.join('\n')}`);
}

/**
 * Starts fauxqs on 127.0.0.1 (its startFauxqs() would bind 0.0.0.0). Objects live in this process' memory.
 * Returns { endpoint, stop() }.
 */
export async function startFauxqs() {
  const { buildApp } = await import('fauxqs');
  const app = buildApp({ logger: false });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('fauxqs did not report a TCP address');
  const endpoint = `http://127.0.0.1:${address.port}`;
  await waitForS3(endpoint, FAUXQS_CREDENTIALS, 10_000);
  let stopped = false;
  return {
    endpoint,
    async stop() {
      if (stopped) return;
      stopped = true;
      await app.close();
    },
  };
}
