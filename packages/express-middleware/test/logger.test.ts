import { AttError, type Backend } from '@att/store-core';
import { afterEach, expect, it } from 'vitest';
import { describeOnEachExpress, startServer, type TestServer } from './fixture.js';

const SECRET = 'wJalrXUtnFEMI-K7MDENG-bPxRfiCYEXAMPLEKEY';
const SIGNATURE = 'cd'.repeat(32);

/** The backend fails every get with a message a careless provider client might write. */
function leakyOnGet(backend: Backend): Backend {
  return {
    ...backend,
    list: (o) => backend.list(o),
    get: async () => {
      throw new AttError(
        'BACKEND_UNAVAILABLE',
        `GET s3://AKIAEXAMPLE:${SECRET}@bucket/x?X-Amz-Signature=${SIGNATURE} failed: Authorization: Bearer ${SECRET}`,
      );
    },
  };
}

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describeOnEachExpress('logger', () => {
  it('a 5xx is logged at error level with the request id the client got, redacted; onError still runs', async () => {
    const logged: { level: string; obj: Record<string, unknown>; msg?: string }[] = [];
    const record = (level: string) => (obj: object, msg?: string) =>
      logged.push({ level, obj: obj as Record<string, unknown>, msg });
    const onErrorIds: (string | undefined)[] = [];
    server = await startServer(
      {
        logger: { debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error') },
        onError: (_err, _req, context) => onErrorIds.push(context?.requestId),
      },
      {},
      leakyOnGet,
    );
    const res = await fetch(`${server.base}/some-id?token=abc123`);
    expect(res.status).toBe(503);
    const body = (await res.json()) as { error: { code: string; requestId: string } };
    expect(body.error.requestId).toMatch(/^[A-Za-z0-9_-]{12}$/);
    expect(res.headers.get('x-request-id')).toBe(body.error.requestId);

    const errors = logged.filter((entry) => entry.level === 'error');
    expect(errors, 'one error logged').toHaveLength(1);
    expect(errors[0]?.obj.requestId, 'the id in the log is the one in the answer').toBe(body.error.requestId);
    expect(errors[0]?.obj.req).toEqual({ method: 'GET', path: '/attachments/some-id' });
    expect(errors[0]?.obj.err).toMatchObject({ code: 'BACKEND_UNAVAILABLE' });
    const text = JSON.stringify(logged);
    for (const secret of [SECRET, SIGNATURE, 'abc123']) expect(text, `${secret} never logged`).not.toContain(secret);
    expect(onErrorIds, 'the deprecated onError hook is called too').toEqual([body.error.requestId]);
  });

  it('refuses a logger that is not an object', async () => {
    await expect(startServer({ logger: 'console' as never })).rejects.toMatchObject({
      code: 'INVALID_CONFIG',
      details: { field: 'logger' },
    });
  });
});
