// Unknown-length streams: part sizes grow so 5 TiB fits in 10,000 parts (uniform on R2, whose rule forbids growth);
// partSize is capped at S3's 5 GiB part limit.
import { isAttError } from '@att/store-core';
import { describe, expect, it } from 'vitest';
import { S3Client } from '../src/index.js';
import { partSizeSchedule, requiresUniformParts } from '../src/parts.js';

const MiB = 1024 * 1024;
const TiB = 1024 * 1024 * MiB;

function reach(schedule: (n: number) => number, parts = 10_000): number {
  let total = 0;
  for (let n = 1; n <= parts; n++) total += schedule(n);
  return total;
}

describe('part size for unknown length', () => {
  it('grows so that 10,000 parts hold 5 TiB, from the smallest part size, never past 5 GiB a part', () => {
    for (const partSize of [5 * MiB, 8 * MiB, 64 * MiB]) {
      const schedule = partSizeSchedule(partSize, false);
      expect(reach(schedule), `partSize ${partSize / MiB} MiB`).toBeGreaterThanOrEqual(5 * TiB);
      expect(schedule(10_000)).toBeLessThanOrEqual(5 * 1024 * MiB);
      // Ordinary uploads (up to 1,000 parts) stay uniform.
      expect(new Set(Array.from({ length: 1000 }, (_, i) => schedule(i + 1)))).toEqual(new Set([partSize]));
    }
  });

  it('keeps parts uniform on R2, where every part but the last must have one size', () => {
    expect(requiresUniformParts(new URL('https://acct.r2.cloudflarestorage.com'))).toBe(true);
    expect(requiresUniformParts(new URL('https://s3.eu-west-1.amazonaws.com'))).toBe(false);
    const schedule = partSizeSchedule(8 * MiB, true);
    expect(schedule(1)).toBe(8 * MiB);
    expect(schedule(10_000)).toBe(8 * MiB);
  });

  it('refuses a partSize over 5 GiB with INVALID_CONFIG naming the field', () => {
    const base = { region: 'us-east-1', bucket: 'b', accessKeyId: 'a', secretAccessKey: 's' };
    const err = (() => {
      try {
        return new S3Client({ ...base, partSize: 5 * 1024 * MiB + 1 });
      } catch (e) {
        return e;
      }
    })();
    expect(isAttError(err, 'INVALID_CONFIG'), String(err)).toBe(true);
    expect((err as { details: { field: string } }).details.field).toBe('partSize');
    expect(new S3Client({ ...base, partSize: 5 * 1024 * MiB }).config.partSize).toBe(5 * 1024 * MiB);
  });
});
