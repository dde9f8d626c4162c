// Child processes for the bench launcher: one-shot JSON jobs and the long-lived servers process.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

/** Runs `node [flags] script '<json>'`, returns the JSON of its last stdout line; rejects on failure or timeout. */
export function runNode(script, job, timeoutMs, flags = []) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...flags, script, JSON.stringify(job)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d) => {
      out += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`${script} ${job.op ?? job.kind} exited with ${code ?? signal}`));
      try {
        resolve(JSON.parse(out.trim().split('\n').at(-1)));
      } catch {
        reject(new Error(`${script} printed no JSON result: ${out.slice(-500)}`));
      }
    });
  });
}

/** Starts bench/servers.mjs and waits (bounded: installing Swift can take minutes) for its JSON line. */
export function startServers(script, names) {
  const child = spawn(process.execPath, [script, names.join(',')], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  const stop = async () => {
    child.stdin.end();
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(timer);
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error('bench servers did not start within 15 min'));
    }, 15 * 60_000);
    const lines = createInterface({ input: child.stdout });
    lines.once('line', (line) => {
      clearTimeout(timer);
      try {
        resolve({ list: JSON.parse(line).servers, stop });
      } catch {
        reject(new Error(`bench servers printed: ${line}`));
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`bench servers exited with ${code} before becoming ready`));
    });
  });
}
