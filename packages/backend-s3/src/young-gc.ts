/**
 * Getting the source's dead chunks collected while an upload copies them into part buffers.
 *
 * A stream hands over a new Buffer per chunk (64 KiB from a file or socket); once readParts (or a resumable
 * upload) has copied it into its pooled part buffer, the chunk is garbage. V8 frees such memory in a
 * young-generation GC, and with an upload's few JS objects it starts one only when the young ArrayBuffers reach
 * 2 × its largest semi-space (32 MiB on 64-bit). The pooled part buffers count there only while young (the pool
 * moves a returned one to a new ArrayBuffer for that, buffer-pool.ts), and every full GC makes them old: so 8–16
 * MiB of dead chunks, sometimes more, sat in RSS beside the part buffers (traced: 128 MiB, 8 MiB parts, queue 4).
 *
 * After every quarter part copied, the upload allocates (and drops) one 32 MiB ArrayBuffer: V8 then counts that
 * much young memory and runs a young GC at the next allocation (0.3–1 ms here), which frees the dead chunks and
 * this buffer. It is never written, so none of its pages is ever touched: it takes address space for that moment,
 * no RSS (calloc maps fresh, zeroed pages; measured). Dead chunks stay within a quarter part instead of
 * 8–32 MiB, at the cost of about 4 young GCs per part (README "Benchmark"). It shows, briefly, in
 * `process.memoryUsage().arrayBuffers` and `external`. The size is V8's trigger as measured on 64-bit Node 20.20;
 * under a larger `--max-semi-space-size` the prompt does nothing, and V8 collects on its own schedule, as before.
 */

/** Young ArrayBuffer bytes at which V8 runs a young GC before the next ArrayBuffer allocation (64-bit). */
const YOUNG_GC_TRIGGER_BYTES = 32 * 1024 * 1024;

/** Makes V8 see a young generation due for collection (see above); never fails. */
export function promptYoungGc(): void {
  try {
    // Kept in a variable and read: an allocation whose result is used is never optimized away.
    const untouched = new ArrayBuffer(YOUNG_GC_TRIGGER_BYTES);
    if (untouched.byteLength !== YOUNG_GC_TRIGGER_BYTES) return;
  } catch {
    // No address space for it (a tight ulimit -v): V8 collects on its own schedule.
  }
}

/**
 * For one upload: counts the source bytes copied into part buffers and prompts a young GC after every quarter of
 * `partSize` (the part size in force), so the dead chunks never add more than a quarter part to its memory.
 */
export function deadChunkCollector(): (copied: number, partSize: number) => void {
  let since = 0;
  return (copied, partSize) => {
    since += copied;
    if (since * 4 < partSize) return;
    since = 0;
    promptYoungGc();
  };
}
