// The `checksums` kind of `pnpm bench`: CPU per MiB of each upload checksum (our CRC32, CRC32C, CRC64NVME; MD5 and
// SHA-256 for what `checksum: 'md5'` and `signPayload` cost; the AWS packages' pure-JS CRC32C and CRC64NVME for
// reference), each measurement a process of its own, interleaved over rounds in alternating order.
// Env knobs: BENCH_CHECKSUM_MIB (256) per measurement, BENCH_CHECKSUMS (the list below).
import { join } from 'node:path';
import { runNode } from './processes.mjs';

const ALGORITHMS = ['crc32', 'crc32c', 'crc64nvme', 'md5', 'sha256', 'ref:crc32c', 'ref:crc64nvme'];

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

export async function benchChecksums(here, rounds) {
  const mib = Number(process.env.BENCH_CHECKSUM_MIB ?? 256);
  const algorithms = (process.env.BENCH_CHECKSUMS ?? ALGORITHMS.join(',')).split(',');
  const samples = new Map(algorithms.map((name) => [name, []]));
  for (let round = 1; round <= rounds; round++) {
    const order = round % 2 ? algorithms : [...algorithms].reverse();
    for (const algorithm of order) {
      const result = await runNode(join(here, 'checksum-worker.mjs'), { algorithm, mib }, 10 * 60_000);
      samples.get(algorithm).push(result);
      const ms = (result.cpuSeconds * 1000) / mib;
      console.log(`  round ${round} checksum ${algorithm.padEnd(13)} ${ms.toFixed(3)} ms CPU per MiB`);
    }
  }
  return { mib, rounds, samples };
}

export function printChecksumReport({ mib, rounds, samples }) {
  console.log(`\nchecksum CPU per MiB (${mib} MiB in 64 KiB pieces, medians of ${rounds} rounds; lower is better)`);
  const cpuOf = (name) => median(samples.get(name).map((s) => (s.cpuSeconds * 1000) / s.mib));
  const base = samples.has('crc32') ? cpuOf('crc32') : Number.NaN;
  for (const [name, list] of samples) {
    const cpu = cpuOf(name);
    const rate = median(list.map((s) => s.mib / s.seconds));
    const vs = Number.isFinite(base) ? `  ${(cpu / base).toFixed(1)}× crc32` : '';
    console.log(`${name.padEnd(14)} ${cpu.toFixed(3).padStart(7)} ms/MiB  ${rate.toFixed(0).padStart(6)} MiB/s${vs}`);
  }
}
