// A small fault-injecting HTTP proxy on 127.0.0.1 in front of an S3 endpoint. Requests are forwarded verbatim
// (method, path + query, every header including Host, so SigV4 signatures still verify; bodies streamed both
// ways), unless the rule picks a fault for that request. Every request is logged so tests can count attempts.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Transform } from 'node:stream';
import { type FaultAction, faultResponse, type ProxiedRequest } from './fault-actions.js';

export { type FaultAction, failFirstAttempts, type ProxiedRequest, s3ErrorXml } from './fault-actions.js';

export type FaultRule = (req: ProxiedRequest) => FaultAction | undefined;

export interface LoggedRequest extends ProxiedRequest {
  /** What the proxy did: 'pass', 'status', 'reset', 'stall' (then 'stall:pass' …), 'malformedXml', 'resetAfterBytes',
   * 'dropAnswer', 'flipByte'. */
  action: string;
  /** Status sent to the client (upstream's on pass), when one was sent. */
  status?: number;
}

export interface FaultProxy {
  /** http://127.0.0.1:PORT — give this to the client under test instead of the server's endpoint. */
  readonly endpoint: string;
  /** Requests seen so far, in arrival order. */
  readonly requests: LoggedRequest[];
  setRule(rule: FaultRule | undefined): void;
  /** Requests matching method (and optional path prefix / query key), e.g. count('PUT', { query: 'partNumber' }). */
  count(method?: string, filter?: { pathPrefix?: string; query?: string }): number;
  close(): Promise<void>;
}

/** Longest stall honoured and longest upstream exchange: nothing in a test may hang forever. */
const MAX_STALL_MS = 60_000;
const UPSTREAM_TIMEOUT_MS = 120_000;

export async function startFaultProxy(targetEndpoint: string, rule?: FaultRule): Promise<FaultProxy> {
  const target = new URL(targetEndpoint);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const requests: LoggedRequest[] = [];
  const attempts = new Map<string, number>();
  const timers = new Set<NodeJS.Timeout>();
  let currentRule = rule;

  /** The request body with the byte at `offset` inverted. */
  function flipping(offset: number): Transform {
    let seen = 0;
    return new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        if (offset >= seen && offset < seen + chunk.length) {
          const copy = Buffer.from(chunk);
          copy[offset - seen] = (copy[offset - seen] as number) ^ 0xff;
          chunk = copy;
        }
        seen += chunk.length;
        callback(null, chunk);
      },
    });
  }

  function forward(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    entry: LoggedRequest,
    cutAfter?: number,
    flipAt?: number,
  ) {
    // cutAfter -1: read the whole upstream answer, then cut the client off before any of it.
    const upstream = http.request({
      host: target.hostname,
      port: target.port || 80,
      method: req.method,
      path: req.url,
      headers: req.rawHeaders, // verbatim, Host included: the client signed it
      agent,
      timeout: UPSTREAM_TIMEOUT_MS,
    });
    upstream.on('timeout', () => upstream.destroy(new Error('upstream timed out')));
    upstream.on('error', () => {
      if (!res.headersSent) {
        entry.status = 502;
        res.writeHead(502).end();
      } else res.destroy();
    });
    upstream.on('response', (up) => {
      entry.status = up.statusCode;
      if (cutAfter === -1) {
        up.resume();
        up.on('end', () => res.socket?.destroy());
        return;
      }
      res.writeHead(up.statusCode ?? 502, up.statusMessage, up.rawHeaders);
      if (cutAfter === undefined) {
        up.pipe(res);
        return;
      }
      // Send the first `cutAfter` body bytes, then kill the connection mid-response.
      let sent = 0;
      up.on('data', (chunk: Buffer) => {
        const room = cutAfter - sent;
        if (room > 0) res.write(chunk.subarray(0, room));
        sent += chunk.length;
        if (sent >= cutAfter) {
          up.destroy();
          // Let the partial bytes reach the socket before the reset.
          setImmediate(() => res.socket?.destroy());
        }
      });
      up.on('end', () => res.end());
    });
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    if (flipAt === undefined) req.pipe(upstream);
    else req.pipe(flipping(flipAt)).pipe(upstream);
  }

  function act(req: http.IncomingMessage, res: http.ServerResponse, entry: LoggedRequest, action: FaultAction) {
    if (action === 'pass') {
      entry.action = 'pass';
      forward(req, res, entry);
      return;
    }
    if (action === 'reset' || (typeof action === 'object' && 'reset' in action)) {
      entry.action = 'reset';
      const afterBody = typeof action === 'object' && action.reset === 'after-body';
      if (!afterBody) {
        req.socket.destroy();
        return;
      }
      req.on('end', () => req.socket.destroy());
      req.resume();
      return;
    }
    if ('stallMs' in action) {
      entry.action = 'stall';
      const timer = setTimeout(
        () => {
          timers.delete(timer);
          if (res.destroyed || req.socket.destroyed) return;
          act(req, res, entry, action.andThen ?? 'pass');
          entry.action = `stall:${entry.action}`;
        },
        Math.min(action.stallMs, MAX_STALL_MS),
      );
      timers.add(timer);
      res.on('close', () => {
        clearTimeout(timer);
        timers.delete(timer);
      });
      return;
    }
    if ('dropAnswer' in action) {
      entry.action = 'dropAnswer';
      forward(req, res, entry, -1);
      return;
    }
    if ('flipByte' in action) {
      entry.action = 'flipByte';
      forward(req, res, entry, undefined, action.flipByte);
      return;
    }
    if ('resetAfterBytes' in action) {
      entry.action = 'resetAfterBytes';
      forward(req, res, entry, action.resetAfterBytes);
      return;
    }
    entry.action = 'malformedXml' in action ? 'malformedXml' : 'status';
    const reply = faultResponse(action, entry);
    entry.status = reply.status;
    const send = () => {
      res.writeHead(reply.status, reply.headers);
      res.end(req.method === 'HEAD' ? undefined : reply.body);
    };
    // Read (and drop) the request body first, as a server would, so the client sees a clean answer.
    if (action.readBody === false) send();
    else {
      req.on('end', send);
      req.resume();
    }
  }

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://proxy');
    const attemptKey = `${req.method} ${req.url}`;
    const attempt = (attempts.get(attemptKey) ?? 0) + 1;
    attempts.set(attemptKey, attempt);
    const seen: ProxiedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: req.headers,
      attempt,
      index: requests.length,
    };
    const entry: LoggedRequest = { ...seen, action: 'pass' };
    requests.push(entry);
    let action: FaultAction;
    try {
      action = currentRule?.(seen) ?? 'pass';
    } catch (err) {
      action = { status: 500, s3Code: 'InternalError', message: `fault rule threw: ${(err as Error).message}` };
    }
    act(req, res, entry, action);
  });
  server.keepAliveTimeout = 5_000;
  server.headersTimeout = 30_000;
  server.requestTimeout = 0; // stalls and long uploads are the point; the client's timeouts are under test

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0 }, resolve);
  });
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    setRule(next) {
      currentRule = next;
    },
    count(method, filter) {
      return requests.filter(
        (r) =>
          (!method || r.method === method) &&
          (!filter?.pathPrefix || r.path.startsWith(filter.pathPrefix)) &&
          (!filter?.query || filter.query in r.query),
      ).length;
    },
    async close() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
    },
  };
}
