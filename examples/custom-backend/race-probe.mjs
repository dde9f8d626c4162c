import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createStore } from '@att/store-core';
import { packdirBackend } from './src/packdir-backend.js';

const body = (n) => Readable.from([Buffer.alloc(n, 1)]);
const expected = 4000 + Array.from({ length: 20 }, (_, i) => 100 + i).reduce((x, y) => x + y);
const backend = packdirBackend({ dir: mkdtempSync(join(tmpdir(), 'probe-')) });
for (let i = 0; i < 300; i++) await backend.put(`foreign-${i}`, body(10));
let bad = 0;
for (let round = 0; round < 12; round++) {
  const p = `r${round}-`;
  const a = createStore({ backend, idPattern: new RegExp(`^${p}`) });
  for (let i = 0; i < 5; i++) await a.write(`${p}s${i}`, body(1000));
  const fresh = createStore({ backend, idPattern: new RegExp(`^${p}`) });
  await fresh.sync();
  const writes = Array.from({ length: 20 }, (_, i) => fresh.write(`${p}w${i}`, body(100 + i)));
  const [synced] = await Promise.all([fresh.sync(), ...writes, fresh.remove(`${p}s0`)]);
  if (fresh.size !== expected) {
    bad++;
    console.log(round, 'sync during:', JSON.stringify(synced), 'size after:', fresh.size);
  }
}
console.log('bad rounds', bad);
