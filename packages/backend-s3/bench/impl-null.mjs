// Calibration: the harness alone (stream generation, verification, GC lag) with no client and no network.
// Its RSS growth is what every implementation pays before its own buffers count.
import { Readable } from 'node:stream';
import { generate } from './data.mjs';

export function createImpl(_server, _bucket, _options) {
  let size = 0;
  return {
    async upload(_key, stream) {
      size = 0;
      for await (const chunk of stream) size += chunk.length;
    },
    async download(_key) {
      return Readable.from(generate(size || Number(process.env.BENCH_NULL_SIZE)));
    },
    async close() {},
  };
}
