// The harness the in-process upload benches share (otel, state-redis): a scratch directory, upload servers in
// child processes that print their port, one keep-alive HTTP agent, and a pool that keeps N requests in flight.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A scratch directory on tmpfs where there is one (page-cache writeback on a small VM's disk swings rounds far
 * more than what the benches measure), or under BENCH_DIR.
 */
export function benchWorkDir(prefix) {
  return mkdtemp(join(process.env.BENCH_DIR ?? (existsSync('/dev/shm') ? '/dev/shm' : tmpdir()), prefix));
}

/** HTTP against upload servers on 127.0.0.1, at most `concurrency` requests in flight. */
export function uploadBenchClient(concurrency) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });

  /** Starts `node <script> ...args`; the server prints its port as its first line. */
  async function startServer(name, script, args) {
    const child = spawn(process.execPath, [script.pathname, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    const [line] = await once(child.stdout, 'data');
    return { name, child, port: Number(String(line).trim()), ids: [] };
  }

  function request(server, method, path, body) {
    return new Promise((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: server.port, path, method, agent }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks) }));
      });
      req.on('error', reject);
      if (body) req.setHeader('content-length', body.length);
      req.end(body);
    });
  }

  /** Runs `count` calls of `fn` with `concurrency` in flight. */
  async function pool(count, fn) {
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < count) {
          next++;
          await fn();
        }
      }),
    );
  }

  /** Deletes what the server's uploads stored (ids pushed on `server.ids`); `accepted` are the statuses allowed. */
  async function removeStored(server, accepted = [204]) {
    const ids = server.ids.splice(0);
    await pool(ids.length, async () => {
      const answer = await request(server, 'DELETE', `/upload/${ids.pop()}`);
      if (!accepted.includes(answer.status)) throw new Error(`${server.name}: DELETE answered ${answer.status}`);
    });
  }

  /** Stops a server started by `startServer` and waits for it to exit. */
  async function stopServer(server) {
    if (server.child.exitCode !== null) return;
    server.child.kill('SIGTERM');
    await once(server.child, 'exit');
  }

  return { agent, startServer, request, pool, removeStored, stopServer };
}
