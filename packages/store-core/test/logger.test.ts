import { describe, expect, it } from 'vitest';
import { AttError, attLogger, createStore, REDACTED, redactSecrets } from '../src/index.js';
import { createMemoryBackend } from '../src/testing/index.js';
import { stringBody } from './helpers.js';

const SECRET = 'wJalrXUtnFEMI-K7MDENG-bPxRfiCYEXAMPLEKEY';
const KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
const PRESIGNED =
  `https://bucket.s3.amazonaws.com/a?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=${KEY_ID}%2F20260101%2Fus-east-1%2Fs3%2Faws4_request` +
  `&X-Amz-Date=20260101T000000Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host&X-Amz-Signature=${'ab'.repeat(32)}`;

function leaks(logged: unknown): string[] {
  const text = JSON.stringify(logged);
  return [SECRET, KEY_ID, 'ab'.repeat(32), 'tok-123456', 'hunter2'].filter((secret) => text.includes(secret));
}

describe('redactSecrets', () => {
  it('removes credentials from keys, URLs, signed query strings, auth headers and errors', () => {
    const input = {
      storage: `s3://${KEY_ID}:${SECRET}@my-bucket/prefix?region=eu-central-1`,
      url: PRESIGNED,
      headers: { authorization: `AWS4-HMAC-SHA256 Credential=${KEY_ID}/x, Signature=${'ab'.repeat(32)}`, host: 'h' },
      note: `retrying with Bearer tok-123456 and https://user:hunter2@example.com/x?token=tok-123456`,
      config: { accessKeyId: KEY_ID, secretAccessKey: SECRET, sessionToken: 'tok-123456', region: 'us-east-1' },
      deleteToken: 'tok-123456',
      err: new AttError('BACKEND_UNAVAILABLE', `cannot reach s3://${KEY_ID}:${SECRET}@bucket`, {
        details: { password: 'hunter2', status: 503 },
        cause: new Error(SECRET),
      }),
      link: new URL(`https://u:hunter2@example.com/?X-Amz-Signature=${'ab'.repeat(32)}`),
      id: 'plain-id',
    };
    const out = redactSecrets(input) as Record<string, unknown>;
    expect(leaks(out), 'no secret survives').toEqual([]);
    expect(out.id, 'ordinary values stay').toBe('plain-id');
    expect(out.storage).toBe(`s3://${REDACTED}@my-bucket/prefix?region=eu-central-1`);
    expect(out.config).toMatchObject({ region: 'us-east-1', secretAccessKey: REDACTED });
    expect(out.err).toMatchObject({ type: 'AttError', code: 'BACKEND_UNAVAILABLE', details: { status: 503 } });
    expect(String(out.url)).toContain('X-Amz-Expires=60');
    expect(JSON.stringify(input), 'the input is not changed').toContain(SECRET);
  });

  it('uses toJSON, survives cycles and stays bounded', () => {
    const client = { secretAccessKey: SECRET, toJSON: () => ({ bucket: 'b', secretAccessKey: '[redacted]' }) };
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    const out = redactSecrets({ client, cyclic, big: 'x'.repeat(10_000), bytes: new Uint8Array(5) }) as Record<
      string,
      unknown
    >;
    expect(leaks(out)).toEqual([]);
    expect(out.client).toEqual({ bucket: 'b', secretAccessKey: REDACTED });
    expect((out.cyclic as Record<string, unknown>).self).toBe('[circular]');
    expect(String(out.big).length).toBeLessThan(4200);
    expect(out.bytes).toBe('[5 bytes]');
  });
});

describe('the Store logs through att’s redaction', () => {
  it('a cleanup warning whose error carries a URL with credentials reaches the logger without them', async () => {
    const logged: { level: string; obj: object; msg?: string }[] = [];
    const logger = {
      warn: (obj: object, msg?: string) => logged.push({ level: 'warn', obj, msg }),
      error: (obj: object, msg?: string) => logged.push({ level: 'error', obj, msg }),
    };
    const backend = createMemoryBackend();
    backend.cleanupIncomplete = async () => {
      throw new AttError('BACKEND_UNAVAILABLE', `GET ${PRESIGNED} via s3://${KEY_ID}:${SECRET}@bucket failed`);
    };
    const store = createStore({ backend, logger });
    await store.write('one', stringBody('x'));
    const pass = await store.cleanup();
    expect(pass.errors).toBe(1);
    expect(logged.length, 'the failure was logged').toBeGreaterThan(0);
    expect(logged[0]?.level).toBe('warn');
    expect(typeof logged[0]?.msg).toBe('string');
    expect(leaks(logged), 'no credential in any logged object').toEqual([]);
    expect(JSON.stringify(logged)).toContain('BACKEND_UNAVAILABLE');
    await store.close();
  });

  it('a logger that throws fails nothing; missing levels are no-ops', async () => {
    const store = createStore({
      backend: createMemoryBackend(),
      logger: {
        warn: () => {
          throw new Error('broken logger');
        },
      },
    });
    store.on('write', () => {
      throw new Error('listener bug'); // logged as a warning, through the broken logger
    });
    await expect(store.write('a', stringBody('abc'))).resolves.toMatchObject({ size: 3 });
    const quiet = attLogger({});
    expect(() => quiet.error({ any: 1 }, 'nothing')).not.toThrow();
    expect(attLogger(quiet), 'wrapping twice is wrapping once').toBe(quiet);
    await store.close();
  });
});
