// Wrong options fail at startup with INVALID_CONFIG naming the field, before any connection is made.
import { describe, expect, it } from 'vitest';
import { type RedisStateOptions, redisState } from '../src/index.js';

const url = 'redis://127.0.0.1:1';

describe('options', () => {
  it.each<[string, RedisStateOptions, string]>([
    ['neither url nor client', {}, 'url'],
    ['both url and client', { url, client: {} as never }, 'client'],
    ['a non-redis url', { url: 'http://127.0.0.1:6379' }, 'url'],
    ['a client that is not ioredis', { client: { get() {} } as never }, 'client'],
    ['an empty prefix', { url, prefix: '' }, 'prefix'],
    ['a zero command timeout', { url, commandTimeout: 0 }, 'commandTimeout'],
    ['a fractional slot', { url, expirySlotMs: 0.5 }, 'expirySlotMs'],
    ['a negative settled memory', { url, settledMemoryMs: -1 }, 'settledMemoryMs'],
  ])('%s is INVALID_CONFIG naming %s', (_, options, field) => {
    expect(() => redisState(options)).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG', details: { field } }));
  });
});
