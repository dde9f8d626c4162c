// An instance killed with `kill -9` mid-upload never settles: its reservation must leave the counter by itself once
// its TTL passes unrenewed, so the fleet gets the bytes back without anyone cleaning up after the dead.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { redisState } from '../src/index.js';

const TTL = 600;
let child: ChildProcess | undefined;
afterEach(() => {
  child?.kill('SIGKILL');
});

describe('kill -9', () => {
  it("a killed writer's reservation expires after its TTL and frees the bytes", async () => {
    const prefix = `kill9-${randomUUID()}:`;
    const state = redisState({ url: inject('redisUrl'), prefix });
    try {
      const script = fileURLToPath(new URL('./support/reserving-child.mjs', import.meta.url));
      child = spawn(process.execPath, [script, inject('redisUrl'), prefix, 'store', '400', String(TTL)], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const [line] = (await once(child.stdout as NodeJS.ReadableStream, 'data')) as [Buffer];
      expect(line.toString()).toContain('reserved');
      expect(await state.ledger.usage('store')).toEqual({ committed: 0, reserved: 400 });
      expect(
        await state.ledger.reserve('me', [{ counter: 'store', bytes: 601, limit: 1000 }], 30_000),
        "the child's live reservation counts against the limit",
      ).toBe('store');

      child.kill('SIGKILL');
      await once(child, 'exit');
      let reserved = -1;
      for (let attempt = 0; attempt < 100 && reserved !== 0; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, TTL / 4));
        reserved = (await state.ledger.usage('store')).reserved;
      }
      expect(reserved, "the dead writer's bytes are free again").toBe(0);
      expect(
        await state.ledger.reserve('me', [{ counter: 'store', bytes: 1000, limit: 1000 }], 30_000),
      ).toBeUndefined();
    } finally {
      await state.close();
    }
  });
});
