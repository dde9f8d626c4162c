// One measurement in its own process: `node worker.mjs '<json task>'`. Prints one JSON result line on stdout.
// Only the implementation under test is imported, so this process' RSS is that implementation's own.
import { generate, verify } from './data.mjs';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const task = JSON.parse(process.argv[2] ?? '{}');

async function loadImpl() {
  const options = { partSize: task.partSize, queueSize: task.queueSize };
  if (task.impl === 'ours' || task.impl.startsWith('ours:')) {
    return (await import('./impl-ours.mjs')).createImplAsync(task.server, task.bucket, options, task.impl);
  }
  if (task.impl === 'null') {
    process.env.BENCH_NULL_SIZE = String(task.sizeBytes);
    return (await import('./impl-null.mjs')).createImpl(task.server, task.bucket, options);
  }
  return (await import('./impl-sdk.mjs')).createImpl(task.server, task.bucket, options);
}

/**
 * Samples RSS every 10 ms (maxRSS alone can carry the parent's high-water mark across fork/exec). With
 * BENCH_TRACE=1 each sample also records heap, external and ArrayBuffer bytes, printed on stderr at the end
 * (`trace ms rss heapUsed external arrayBuffers`, MiB): where a peak comes from (live buffers or garbage not yet
 * collected) shows in the difference between the columns.
 */
function rssSampler() {
  const trace = process.env.BENCH_TRACE === '1' ? [] : undefined;
  const start = Date.now();
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => {
    if (trace) {
      const m = process.memoryUsage();
      trace.push([Date.now() - start, m.rss, m.heapUsed, m.external, m.arrayBuffers]);
      peak = Math.max(peak, m.rss);
    } else {
      peak = Math.max(peak, process.memoryUsage.rss());
    }
  }, 10);
  return () => {
    clearInterval(timer);
    const m = process.memoryUsage();
    trace?.push([Date.now() - start, m.rss, m.heapUsed, m.external, m.arrayBuffers]);
    // Printed after the last sample: opening stderr loads code of its own.
    for (const [ms, ...bytes] of trace ?? []) {
      process.stderr.write(`trace ${ms} ${bytes.map((b) => (b / 1048576).toFixed(1)).join(' ')}\n`);
    }
    return Math.max(peak, m.rss);
  };
}

/** Wall time and this process' CPU time (user + system): on a busy machine CPU per MiB is the steadier figure. */
async function timed(fn) {
  const start = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  const value = await fn();
  const used = process.cpuUsage(cpu);
  return { value, seconds: Number(process.hrtime.bigint() - start) / 1e9, cpuSeconds: (used.user + used.system) / 1e6 };
}

const tasks = {
  // Upload and download run in separate processes so each one's peak RSS is its own.
  async upload(impl) {
    const up = await timed(() => impl.upload(`${task.keyPrefix}/blob`, generate(task.sizeBytes)));
    return { seconds: up.seconds, cpuSeconds: up.cpuSeconds, bytes: task.sizeBytes };
  },
  async download(impl) {
    const down = await timed(async () => verify(await impl.download(`${task.keyPrefix}/blob`), task.sizeBytes));
    return { seconds: down.seconds, cpuSeconds: down.cpuSeconds, bytes: down.value };
  },
  async listDelete(impl) {
    const list = await timed(() => impl.list(`${task.keyPrefix}/`));
    const keys = list.value;
    if (keys.length !== task.keys) throw new Error(`listed ${keys.length} keys, expected ${task.keys}`);
    const expectedLast = `${task.keyPrefix}/k${String(task.keys - 1).padStart(6, '0')}`;
    if (keys.at(-1) !== expectedLast) throw new Error(`last listed key ${keys.at(-1)}, expected ${expectedLast}`);
    const del = await timed(() => impl.deleteKeys(keys));
    return { listSeconds: list.seconds, deleteSeconds: del.seconds, keys: keys.length };
  },
};

async function main() {
  const impl = await loadImpl();
  // Settle start-up garbage so the baseline is the loaded code, not transient allocations.
  global.gc?.();
  const baseline = process.memoryUsage.rss();
  const stopSampler = rssSampler();
  const result = await tasks[task.kind](impl);
  const sampledPeak = stopSampler();
  const maxRss = process.resourceUsage().maxRSS * 1024;
  await impl.close();
  process.stdout.write(`${JSON.stringify({ ...result, baseline, sampledPeak, maxRss })}\n`);
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`worker ${task.impl}/${task.kind} failed: ${err?.stack ?? err}\n`);
    process.exit(1);
  },
);
