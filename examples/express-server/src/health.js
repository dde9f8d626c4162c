// GET /healthz: is the storage usable right now (store.check(): the directory is writable, or the bucket exists
// and the credentials work; and the shared state answers)? 200 { status: 'ok' } or 503 with the error's code and
// a request id; the full error goes to the log under the same id, never to the client.
import { randomBytes } from 'node:crypto';

/** Answers given within this many milliseconds of a check reuse it: probes cost storage calls. */
const REUSE_MS = 1000;
const CHECK_TIMEOUT_MS = 3000;

export function healthRoute(store, log = console.error) {
  let last; // { at, promise }: one check in flight, reused by callers within REUSE_MS
  const checked = () => {
    const now = Date.now();
    if (!last || now - last.at > REUSE_MS) {
      last = {
        at: now,
        promise: store.check({ timeout: CHECK_TIMEOUT_MS }).then(
          () => undefined,
          (err) => err,
        ),
      };
    }
    return last.promise;
  };
  return async (_req, res) => {
    const err = await checked();
    res.set('Cache-Control', 'no-store');
    if (!err) {
      res.json({ status: 'ok' });
      return;
    }
    const requestId = randomBytes(9).toString('base64url');
    log(`[att] ${requestId} healthz ${err.code ?? 'ERROR'}: ${err.message}`);
    res.status(503).json({ status: 'unavailable', code: err.code ?? 'BACKEND_UNAVAILABLE', requestId });
  };
}

/** Checks the storage once before serving: a wrong bucket, directory or credential stops the start, named. */
export async function checkAtBoot(store) {
  try {
    await store.check({ timeout: 10_000 });
  } catch (err) {
    throw new Error(`storage check failed (${err.code ?? 'ERROR'}): ${err.message}`, { cause: err });
  }
}
