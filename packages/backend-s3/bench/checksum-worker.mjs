// One checksum measurement in its own process: `node checksum-worker.mjs '{"algorithm":"crc32c","mib":256}'`.
// Hashes `mib` MiB of random bytes fed in 64 KiB pieces (as streamed bodies arrive) after a warm-up, and prints
// the CPU time (user + system) and wall time it took as one JSON line. Our CRCs come from the built dist.
import { createHash, randomBytes } from 'node:crypto';

const task = JSON.parse(process.argv[2] ?? '{}');
const MIB = 1024 * 1024;
const PIECE = 64 * 1024;
// 16 MiB: larger than the caches, so the bytes come from memory as an upload's do.
const source = randomBytes(16 * MIB);

async function hasherFor(name) {
  if (name === 'md5' || name === 'sha256') {
    return () => {
      const hash = createHash(name);
      return { update: (chunk) => hash.update(chunk), digest: () => hash.digest('base64') };
    };
  }
  if (name === 'ref:crc32c') {
    const { Crc32c } = await import('@aws-crypto/crc32c');
    return () => new Crc32c();
  }
  if (name === 'ref:crc64nvme') {
    const { Crc64Nvme } = await import('@aws-sdk/crc64-nvme');
    return () => new Crc64Nvme();
  }
  const { CHECKSUM_ALGORITHMS } = await import('@att/backend-s3');
  const algorithm = CHECKSUM_ALGORITHMS[name];
  if (!algorithm) throw new Error(`unknown algorithm ${name}`);
  return () => algorithm.createHasher();
}

function feed(hasher, bytes) {
  for (let done = 0; done < bytes; done += PIECE) {
    const offset = done % source.length;
    hasher.update(source.subarray(offset, offset + PIECE));
  }
  return hasher.digest();
}

const create = await hasherFor(task.algorithm);
await feed(create(), 16 * MIB); // warm-up: JIT, table set-up
const start = process.hrtime.bigint();
const cpu = process.cpuUsage();
await feed(create(), task.mib * MIB);
const used = process.cpuUsage(cpu);
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
process.stdout.write(`${JSON.stringify({ cpuSeconds: (used.user + used.system) / 1e6, seconds, mib: task.mib })}\n`);
