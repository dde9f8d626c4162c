// Lifecycle of a throwaway redis-server for tests and benchmarks: installs Debian's package if missing, starts it on
// 127.0.0.1 on a free port with no persistence, stops it by PID. Shared by @att/state-redis's test setup, the fleet
// tests and the bench, so every one of them gets Redis the same way. Plain ESM JavaScript so that `node bench/*.mjs`
// imports it without a TypeScript loader. Types: redis-server.d.mts.
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, openSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** Installs redis-server from Debian if missing (idempotent, one `command -v` when installed). */
export function installRedis() {
  return new Promise((resolve, reject) => {
    execFile('bash', [join(here, 'install-redis.sh')], { timeout: 15 * 60_000 }, (err, stdout, stderr) => {
      if (err) {
        const tail = `${stdout}\n${stderr}`.trim().split('\n').slice(-20).join('\n');
        reject(new Error(`install-redis.sh failed (${err.killed ? 'timed out' : `exit ${err.code}`}):\n${tail}`));
      } else resolve();
    });
  });
}

/** A port the kernel just handed out on 127.0.0.1 (free now; a start that loses the race retries elsewhere). */
function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen({ host: '127.0.0.1', port: 0 }, () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** One PING over a raw socket: true when the server answers (+PONG, or NOAUTH when it wants a password). */
function ping(port, ms = 500) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(ms, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(/^(\+PONG|-NOAUTH)/.test(data.toString())));
  });
}

const alive = (child) => child.exitCode === null && child.signalCode === null;

/** SIGTERM, wait (bounded), then SIGKILL: no server outlives its test run. */
async function stopChild(child, timeoutMs = 10_000) {
  if (!alive(child)) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = new Promise((resolve) => setTimeout(resolve, timeoutMs, 'timeout'));
  if ((await Promise.race([exited, timer])) === 'timeout') {
    child.kill('SIGKILL');
    await exited;
  }
}

async function startOnce(port, dir, extraArgs) {
  const log = openSync(join(dir, 'redis.log'), 'a');
  const child = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--daemonize',
      'no',
      ...extraArgs,
    ],
    { cwd: dir, stdio: ['ignore', log, log] },
  );
  const spawnError = new Promise((resolve) => child.once('error', resolve));
  for (let attempt = 0; attempt < 100; attempt++) {
    if (await ping(port)) return child;
    if (!alive(child)) break;
    const failed = await Promise.race([spawnError, new Promise((r) => setTimeout(r, 50, undefined))]);
    if (failed) throw new Error(`redis-server could not be started: ${failed.message}`);
  }
  await stopChild(child);
  const tail = (await readFile(join(dir, 'redis.log'), 'utf8').catch(() => '')).split('\n').slice(-10).join('\n');
  throw new Error(`redis-server on port ${port} did not answer PING:\n${tail}`);
}

/**
 * Starts redis-server on 127.0.0.1 (`port`, or a free one, retried elsewhere if taken meanwhile), with `args`
 * added to its command line (e.g. `['--requirepass', 'x']`). Returns { port, url, pid, stop() }; stop() is
 * idempotent. Start again with the same `port` to test recovery.
 */
export async function startRedis({ port, install = true, attempts = 3, args = [] } = {}) {
  if (install) await installRedis();
  const dir = mkdtempSync(join(tmpdir(), 'att-redis-'));
  const errors = [];
  for (let attempt = 1; attempt <= (port ? 1 : attempts); attempt++) {
    const chosen = port ?? (await freePort());
    try {
      const child = await startOnce(chosen, dir, args);
      const killOnExit = () => {
        if (alive(child)) child.kill('SIGKILL');
      };
      process.once('exit', killOnExit);
      let stopped;
      return {
        port: chosen,
        url: `redis://127.0.0.1:${chosen}`,
        pid: child.pid,
        stop() {
          stopped ??= (async () => {
            process.removeListener('exit', killOnExit);
            await stopChild(child);
            rmSync(dir, { recursive: true, force: true });
          })();
          return stopped;
        },
      };
    } catch (err) {
      errors.push(`attempt ${attempt} (port ${chosen}): ${err.message}`);
    }
  }
  rmSync(dir, { recursive: true, force: true });
  throw new Error(`could not start redis-server:\n${errors.join('\n')}`);
}
