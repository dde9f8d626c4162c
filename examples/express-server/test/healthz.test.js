// The example's readiness: `node src/server.js` checks the storage before it listens (a bad directory stops the
// start, named), and GET /healthz answers 200 while the storage works and 503 with a request id — the same id the
// server logs with the cause — once it does not.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const serverJs = fileURLToPath(new URL('../src/server.js', import.meta.url));
const cleanups = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function tempDir() {
  const dir = await mkdtemp(join(tmpdir(), 'att-example-health-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Starts the example on `storage`; resolves with its port once listening, or its exit code and output. */
function startExample(storage) {
  const child = spawn(process.execPath, [serverJs], {
    env: { ...process.env, PORT: '0', ATT_STORAGE: storage, ATT_REDIS: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = { stdout: '', stderr: '' };
  child.stdout.on('data', (chunk) => {
    output.stdout += chunk;
  });
  child.stderr.on('data', (chunk) => {
    output.stderr += chunk;
  });
  cleanups.push(async () => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  });
  const started = new Promise((resolve) => {
    child.stdout.on('data', () => {
      const port = /localhost:(\d+)\//.exec(output.stdout)?.[1];
      if (port) resolve({ port: Number(port), output });
    });
    child.once('exit', (code) => resolve({ code, output }));
  });
  return started;
}

describe('example readiness', () => {
  it('a storage directory that cannot be used stops the start with the cause', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'a-file'), 'x');
    const { code, port, output } = await startExample(join(dir, 'a-file', 'data'));
    expect(port).toBeUndefined();
    expect(code).toBe(1);
    expect(output.stderr).toContain('Cannot start: storage check failed (BACKEND_UNAVAILABLE)');
  });

  it('/healthz is 200 while the storage works, 503 with a logged request id once it does not', async () => {
    const dir = await tempDir();
    const storage = join(dir, 'data');
    const { port, output } = await startExample(storage);
    expect(port, output.stderr).toBeGreaterThan(0);
    const ok = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('cache-control')).toBe('no-store');
    expect(await ok.json()).toEqual({ status: 'ok' });

    // The directory is gone and a file took its place: nothing can be stored any more.
    await rm(storage, { recursive: true, force: true });
    await writeFile(storage, 'not a directory');
    // Answers within a second of a check reuse it: ask until a fresh one ran (bounded).
    let res;
    for (let i = 0; i < 40; i++) {
      res = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (res.status !== 200) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(res.status).toBe(503);
    const body = await res.json();
    expect(body).toEqual({ status: 'unavailable', code: 'BACKEND_UNAVAILABLE', requestId: expect.any(String) });
    expect(JSON.stringify(body)).not.toContain(dir);
    for (let i = 0; i < 50 && !output.stderr.includes(body.requestId); i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(output.stderr).toContain(`${body.requestId} healthz BACKEND_UNAVAILABLE`);
  });
});
