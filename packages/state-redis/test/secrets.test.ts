// The URL may carry a password: it must never reach an error (message, stack, cause, JSON, inspect), the state's
// toString/inspect/JSON, or anything written to the console, whether Redis refuses it or is unreachable.
import { randomUUID } from 'node:crypto';
import { inspect } from 'node:util';
import { type AttState, isAttError } from '@att/store-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type RunningRedis, startRedis } from '../../../scripts/redis-server.mjs';
import { redisState } from '../src/index.js';

const PASSWORD = `Pa55-${randomUUID()}`;
const WRONG = `Wr0ng-${randomUUID()}`;
let redis: RunningRedis;

beforeAll(async () => {
  redis = await startRedis({ args: ['--requirepass', PASSWORD] });
});
afterAll(async () => {
  await redis?.stop();
});

const urlWith = (password: string, port = redis.port) =>
  `redis://default:${encodeURIComponent(password)}@127.0.0.1:${port}`;

/** Every way an error or a state can be turned into text. */
function renderings(value: unknown): string[] {
  const texts = [String(value), inspect(value, { depth: 10, showHidden: true }), JSON.stringify(value) ?? ''];
  if (value instanceof Error) {
    texts.push(value.stack ?? '', inspect(value.cause, { depth: 10 }));
    texts.push(JSON.stringify((value as { details?: unknown }).details) ?? '');
  }
  return texts;
}

async function failureOf(state: AttState): Promise<unknown> {
  return state.ledger.usage('store').then(
    () => undefined,
    (err: unknown) => err,
  );
}

describe('secrets', () => {
  it('the right password works', async () => {
    const state = redisState({ url: urlWith(PASSWORD) });
    try {
      expect(await state.ledger.usage('store')).toEqual({ committed: 0, reserved: 0 });
    } finally {
      await state.close();
    }
  });

  it('a refused password, an unreachable server and the state itself never show the password', async () => {
    const written: string[] = [];
    const capture = (...args: unknown[]) => void written.push(args.map((a) => inspect(a)).join(' '));
    const spies = [
      vi.spyOn(console, 'log').mockImplementation(capture),
      vi.spyOn(console, 'warn').mockImplementation(capture),
      vi.spyOn(console, 'error').mockImplementation(capture),
      vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
        written.push(String(chunk));
        return true;
      }),
    ];
    const refused = redisState({ url: urlWith(WRONG), commandTimeout: 500 });
    const unreachable = redisState({ url: urlWith(WRONG, 1), commandTimeout: 500 });
    try {
      for (const state of [refused, unreachable]) {
        const error = await failureOf(state);
        expect(isAttError(error, 'STATE_UNAVAILABLE'), `STATE_UNAVAILABLE, got ${error}`).toBe(true);
        for (const text of [...renderings(error), ...renderings(state)]) {
          expect(text, 'no password in any rendering').not.toContain(WRONG);
          expect(text).not.toContain(encodeURIComponent(WRONG));
        }
      }
      expect(String(await failureOf(refused)), 'the refusal is named').toMatch(/WRONGPASS/);
      expect(String(refused), 'the state names where Redis is').toMatch(/redis:\/\/127\.0\.0\.1:\d+/);
    } finally {
      await refused.close();
      await unreachable.close();
      for (const spy of spies) spy.mockRestore();
    }
    expect(written.join('\n'), 'nothing printed carries the password').not.toContain(WRONG);
  });

  it('a malformed url is INVALID_CONFIG naming the field, without echoing the url', () => {
    const attempt = () => redisState({ url: `http://user:${WRONG}@host` });
    expect(attempt).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG', details: { field: 'url' } }));
    try {
      attempt();
    } catch (err) {
      for (const text of renderings(err)) expect(text).not.toContain(WRONG);
    }
  });
});
