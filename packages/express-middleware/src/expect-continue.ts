/**
 * `Expect: 100-continue` lets a client wait for the server's go-ahead before sending a large body. Node sends
 * `100 Continue` by itself unless the server listens for `checkContinue`, so a refusal (403, 413, 429…) would
 * only come after the body. `deferContinue(server)` takes that decision over: the request goes to the app at
 * once, and `100 Continue` is sent only when someone starts reading the body (our upload, or any other route's
 * body parser). A refusal that comes first is the answer, and the client never sends the body.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';

/** Requests whose `100 Continue` is still owed. */
const owed = new WeakMap<IncomingMessage, ServerResponse>();

/**
 * Installs the `checkContinue` handler on `server` (an `http.Server` or `https.Server`). Call once, after
 * `app.listen()` or `http.createServer(app)`. Without it everything still works; refusals just come after
 * the client has sent its body.
 */
export function deferContinue(server: Server): void {
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    owed.set(req, res);
    // Any reader (ours or another route's parser) resumes the stream first: the go-ahead goes out then.
    req.once('resume', () => sendContinue(req));
    server.emit('request', req, res);
  });
}

/** Sends the owed `100 Continue`, if any; called before an upload reads its body. */
export function sendContinue(req: IncomingMessage): void {
  const res = owed.get(req);
  if (!res) return;
  owed.delete(req);
  if (!res.headersSent && !res.writableEnded) res.writeContinue();
}

/**
 * For a refusal: true when the client is still waiting for `100 Continue` and so has sent no body. The debt is
 * dropped (no go-ahead will follow), so the caller answers and closes instead of reading a body.
 */
export function forgoContinue(req: IncomingMessage): boolean {
  return owed.delete(req);
}
