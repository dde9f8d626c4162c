// Test support: start and stop a fleet of example instances (test/fleet/instance.js), each in its own process.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('./instance.js', import.meta.url));

/** Starts one instance; resolves once it listens. */
export function startInstance({ storage, redis, config }) {
  const child = spawn(process.execPath, [script], {
    env: { ...process.env, ATT_STORAGE: storage, ATT_REDIS: redis, ATT_FLEET: JSON.stringify(config) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stderr.on('data', (chunk) => {
    log += chunk;
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`fleet instance did not start: ${log}`));
    }, 30_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`fleet instance exited with ${code}: ${log}`));
    });
    child.stdout.on('data', (chunk) => {
      const match = /listening (\d+)/.exec(String(chunk));
      if (!match) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      const base = `http://127.0.0.1:${match[1]}`;
      resolve({
        base,
        attachments: `${base}/attachments`,
        /** SIGKILL: no goodbye, its reservations are left to expire. */
        kill: () => child.kill('SIGKILL'),
        async stop() {
          if (child.exitCode !== null || child.signalCode !== null) return;
          const exited = new Promise((done) => child.once('exit', done));
          child.kill('SIGTERM');
          const timeout = setTimeout(() => child.kill('SIGKILL'), 10_000);
          await exited;
          clearTimeout(timeout);
        },
      });
    });
  });
}

export async function startFleet(count, options) {
  return Promise.all(Array.from({ length: count }, () => startInstance(options)));
}

export async function stopFleet(fleet) {
  await Promise.all((fleet ?? []).map((instance) => instance.stop()));
}
