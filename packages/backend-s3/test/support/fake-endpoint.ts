// A tiny HTTP server on 127.0.0.1 standing in for an AWS endpoint the tests must never reach for real (instance
// metadata, a container agent, STS). It records every request, body included, and answers with `handle`.
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach } from 'vitest';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The body's bytes as received. */
  raw: Buffer;
}

export interface FakeAnswer {
  status?: number;
  body?: string;
  headers?: Record<string, string>;
  /** Never answer (the client's timeout must fire). */
  hang?: boolean;
}

export interface FakeEndpoint {
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export async function startFakeEndpoint(handle: Handler): Promise<FakeEndpoint> {
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const raw = Buffer.concat(chunks);
      const recorded = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: raw.toString('utf8'),
        raw,
      };
      requests.push(recorded);
      const answer = await handle(recorded);
      if (answer.hang) return;
      res.writeHead(answer.status ?? 200, answer.headers ?? {});
      res.end(answer.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

type Handler = (request: RecordedRequest) => FakeAnswer | Promise<FakeAnswer>;

/**
 * For a test file (or describe block) that starts fakes: returns a starter whose endpoints are all closed after
 * each test, so no test leaves a listening server behind whatever it asserted.
 */
export function useFakeEndpoints(): (handle: Handler) => Promise<FakeEndpoint> {
  const open: FakeEndpoint[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((f) => f.close()));
  });
  return async (handle) => {
    const endpoint = await startFakeEndpoint(handle);
    open.push(endpoint);
    return endpoint;
  };
}

/** The JSON document IMDS and container agents answer with. */
export function awsJsonCredentials(id: string, secret: string, token: string, expiration: Date): string {
  return JSON.stringify({
    Code: 'Success',
    Type: 'AWS-HMAC',
    AccessKeyId: id,
    SecretAccessKey: secret,
    Token: token,
    Expiration: expiration.toISOString(),
  });
}

/** An STS `<Action>Response` document. */
export function stsResponse(action: string, id: string, secret: string, token: string, expiration: Date): string {
  return (
    `<${action}Response xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><${action}Result><Credentials>` +
    `<AccessKeyId>${id}</AccessKeyId><SecretAccessKey>${secret}</SecretAccessKey><SessionToken>${token}</SessionToken>` +
    `<Expiration>${expiration.toISOString()}</Expiration></Credentials></${action}Result>` +
    `<ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></${action}Response>`
  );
}
