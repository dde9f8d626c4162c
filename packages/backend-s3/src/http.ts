import type { LookupAddress } from 'node:dns';
import http, { type IncomingHttpHeaders, type IncomingMessage } from 'node:http';

/**
 * One HTTP exchange on node:http with a keep-alive agent (measured faster and leaner than undici here; README).
 * Gives what the transport needs: an idle timeout (connect, headers, and body chunks, but not while the consumer
 * holds the body back), abort signals, and streamed request bodies with backpressure.
 */
export type HttpAgent = http.Agent;

/**
 * node:https and node:dns are loaded on first use: a client of an http endpoint by IP never needs them, and every
 * module loaded stays in the process' RSS (the upload bench counts it; README "Memory").
 */
const https = () => process.getBuiltinModule('node:https');

export interface HttpRequest {
  /** `protocol//host[:port]`, parsed as a URL. */
  origin: URL;
  /** Sent byte for byte (never normalized: a key may contain `..` segments, and the signature covers it). */
  path: string;
  method: string;
  headers: Record<string, string>;
  body: Uint8Array | string | AsyncIterable<Uint8Array> | undefined;
  agent: HttpAgent;
  /** Milliseconds without socket activity before the request fails with code `S3_TIMEOUT`. */
  timeout: number;
  signal: AbortSignal | undefined;
}

export interface HttpResponse {
  statusCode: number;
  headers: IncomingHttpHeaders;
  body: IncomingMessage;
}

/** Our own code for an idle timeout (node:http has none), mapped to TIMEOUT in errors.ts. */
export const TIMEOUT_CODE = 'S3_TIMEOUT';

function timeoutError(): Error {
  return Object.assign(new Error('no network activity within the timeout'), { code: TIMEOUT_CODE });
}

function abortError(signal: AbortSignal): Error {
  return Object.assign(new Error('the request was aborted', { cause: signal.reason }), { code: 'ABORT_ERR' });
}

/** `*.localhost` (RFC 6761) means loopback; resolve it here, since these machines' resolvers do not. */
export function loopbackLookup(
  hostname: string,
  options: { all?: boolean; family?: number | string },
  callback: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
): void {
  if (hostname === 'localhost' || hostname.endsWith('.localhost')) {
    if (options?.all) callback(null, [{ address: '127.0.0.1', family: 4 }]);
    else callback(null, '127.0.0.1', 4);
    return;
  }
  process.getBuiltinModule('node:dns').lookup(hostname, options as never, callback as never);
}

/** Keep-alive agent for one endpoint's protocol; sockets idle longer than 4 s are closed (servers drop them too). */
export function createAgent(protocol: string): HttpAgent {
  const options = { keepAlive: true, timeout: 4_000, lookup: loopbackLookup as never };
  return protocol === 'https:' ? new (https().Agent)(options) : new http.Agent(options);
}

/** Writes an async-iterable body with backpressure; errors from the source or the socket destroy the request. */
async function pump(req: http.ClientRequest, body: AsyncIterable<Uint8Array>): Promise<void> {
  try {
    for await (const chunk of body) {
      if (req.destroyed) return;
      if (!req.write(chunk)) {
        await new Promise<void>((resolve) => {
          const done = () => {
            req.off('drain', done);
            req.off('close', done);
            resolve();
          };
          req.on('drain', done);
          req.on('close', done);
        });
      }
    }
    if (!req.destroyed) req.end();
  } catch (err) {
    req.destroy(err as Error);
  }
}

/** Sends one request and resolves with the response head; the body streams (and may still fail) afterwards. */
export function httpRequest(request: HttpRequest): Promise<HttpResponse> {
  const { origin: url, body, signal, timeout } = request;
  return new Promise((resolve, reject) => {
    const options: http.RequestOptions = {
      method: request.method,
      headers: request.headers,
      agent: request.agent,
      lookup: loopbackLookup as never,
      hostname: url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname,
      port: url.port || undefined,
      path: request.path,
    };
    const req = (url.protocol === 'https:' ? https() : http).request(options);
    let response: IncomingMessage | undefined;
    const onAbort = () => {
      const error = abortError(signal as AbortSignal);
      req.destroy(error);
      response?.destroy(error);
    };
    const cleanup = () => signal?.removeEventListener('abort', onAbort);
    if (signal) {
      if (signal.aborted) return reject(abortError(signal));
      signal.addEventListener('abort', onAbort, { once: true });
    }
    req.setTimeout(timeout, () => {
      // A consumer that holds the body back (backpressure) is not a stalled server: wait again.
      if (response && !response.destroyed && (response.isPaused() || response.readableLength > 0)) {
        req.setTimeout(timeout);
        return;
      }
      const error = timeoutError();
      req.destroy(error);
      response?.destroy(error);
    });
    // Not `once`: the socket can fail again after the response head (the body then fails on its own).
    req.on('error', (err) => {
      cleanup();
      reject(err);
    });
    req.once('response', (res) => {
      response = res;
      res.once('close', cleanup);
      resolve({ statusCode: res.statusCode ?? 0, headers: res.headers, body: res });
    });
    if (body === undefined) req.end();
    else if (typeof body === 'string' || body instanceof Uint8Array) req.end(body);
    else void pump(req, body);
  });
}
