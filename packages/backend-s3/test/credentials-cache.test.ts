// The caching wrapper around credential sources: single flight, refresh inside the window before expiry, old
// credentials kept through a failed refresh while they are still valid. A fake clock, no timers.
import { describe, expect, it } from 'vitest';
import { type AwsCredentials, createCachedCredentials } from '../src/index.js';

function source(clock: { now: number }, lifetime: number | undefined) {
  let calls = 0;
  let fail = false;
  const fetch = async (): Promise<AwsCredentials> => {
    calls++;
    await new Promise((resolve) => setImmediate(resolve));
    if (fail) throw new Error('endpoint down');
    return {
      accessKeyId: `AK${calls}`,
      secretAccessKey: 's',
      ...(lifetime === undefined ? {} : { expiration: new Date(clock.now + lifetime) }),
    };
  };
  return {
    fetch,
    calls: () => calls,
    setFailing: (value: boolean) => {
      fail = value;
    },
  };
}

describe('createCachedCredentials', () => {
  it('single flight: concurrent callers share one fetch', async () => {
    const clock = { now: 1_000_000 };
    const s = source(clock, 3_600_000);
    const get = createCachedCredentials(s.fetch, { now: () => clock.now });
    const all = await Promise.all(Array.from({ length: 20 }, () => get()));
    expect(s.calls(), 'one fetch for 20 concurrent callers').toBe(1);
    expect(new Set(all.map((c) => c.accessKeyId))).toEqual(new Set(['AK1']));
  });

  it('refreshes five minutes before expiry, not earlier', async () => {
    const clock = { now: 0 };
    const s = source(clock, 3_600_000);
    const get = createCachedCredentials(s.fetch, { now: () => clock.now });
    expect((await get()).accessKeyId).toBe('AK1');
    clock.now = 3_600_000 - 5 * 60_000 - 1;
    expect((await get()).accessKeyId).toBe('AK1');
    clock.now = 3_600_000 - 5 * 60_000 + 1;
    expect((await get()).accessKeyId).toBe('AK2');
    expect(s.calls()).toBe(2);
  });

  it('a failed refresh keeps the old credentials while valid, then waits before trying again', async () => {
    const clock = { now: 0 };
    const s = source(clock, 600_000);
    const get = createCachedCredentials(s.fetch, { now: () => clock.now, retryAfterFailure: 10_000 });
    await get();
    s.setFailing(true);
    clock.now = 400_000; // inside the window, still valid
    expect((await get()).accessKeyId).toBe('AK1');
    expect(s.calls()).toBe(2);
    clock.now = 405_000;
    expect((await get()).accessKeyId, 'no new attempt within retryAfterFailure').toBe('AK1');
    expect(s.calls()).toBe(2);
    clock.now = 411_000;
    await get();
    expect(s.calls()).toBe(3);
    clock.now = 600_001; // expired: the error surfaces
    await expect(get()).rejects.toThrow('endpoint down');
    s.setFailing(false);
    expect((await get()).accessKeyId).toBe('AK5');
  });

  it('keepForever false: answers without expiration are fetched again each time', async () => {
    const clock = { now: 0 };
    const s = source(clock, undefined);
    const get = createCachedCredentials(s.fetch, { keepForever: false, now: () => clock.now });
    await get();
    await get();
    expect(s.calls()).toBe(2);
    const forever = source(clock, undefined);
    const kept = createCachedCredentials(forever.fetch, { now: () => clock.now });
    await kept();
    await kept();
    expect(forever.calls()).toBe(1);
  });
});
