// One small HTTP exchange with a credentials endpoint (IMDS, a container agent, STS): a hard timeout, a bounded
// answer, and errors that carry no header, so the tokens sent along never reach a message or a log.
import http from 'node:http';
import { credentialsUnavailable } from './types.js';

export interface EndpointRequest {
  url: URL;
  method: 'GET' | 'PUT' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  /** Milliseconds for the whole exchange. */
  timeout: number;
  /** Names the endpoint in errors (`EC2 instance metadata`, `STS AssumeRole`). */
  what: string;
}

export interface EndpointResponse {
  status: number;
  body: string;
}

// Credential documents are a few KiB; STS errors are small too.
const MAX_BODY = 256 * 1024;

/** Resolves with any status (callers decide what a 404 means); rejects on network failure and timeout. */
export function requestEndpoint(request: EndpointRequest): Promise<EndpointResponse> {
  const { url, timeout, what } = request;
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...request.headers };
    if (request.body !== undefined) headers['content-length'] = String(Buffer.byteLength(request.body));
    // node:https on first use (only STS needs it): modules loaded stay in every process' RSS.
    const req = (url.protocol === 'https:' ? process.getBuiltinModule('node:https') : http).request(url, {
      method: request.method,
      headers,
      agent: false,
    });
    const timer = setTimeout(() => {
      req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' }));
    }, timeout);
    req.on('error', (err) => {
      clearTimeout(timer);
      const code = (err as NodeJS.ErrnoException).code ?? 'error';
      reject(credentialsUnavailable(`${what} at ${url.origin} did not answer (${code})`, err));
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_BODY) {
          req.destroy(Object.assign(new Error('too large'), { code: 'ERESPONSETOOLARGE' }));
          return;
        }
        chunks.push(chunk);
      });
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
      });
      res.on('error', (err) => {
        clearTimeout(timer);
        const code = (err as NodeJS.ErrnoException).code ?? 'error';
        reject(credentialsUnavailable(`${what} at ${url.origin} broke off its answer (${code})`, err));
      });
    });
    req.end(request.body);
  });
}

/** Parses a JSON credentials document; the text itself never appears in the error (it may hold a secret). */
export function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw credentialsUnavailable(`${what} answered with something that is not JSON`);
  }
}
