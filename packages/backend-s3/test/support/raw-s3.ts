// rawS3: one hand-built, SigV4-signed HTTP request, for assertions that must not go through the client under test
// ("is there a pending upload?", "what exactly does the server answer?"). Signed by the AWS SDK's own signer,
// sent with node:http so status, headers and body bytes arrive untouched (no decompression, no retries).
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { S3TestServer } from './server-types.js';
import { sdkClient } from './servers.js';

export interface RawS3Request {
  method: string;
  /** Omit for service-level requests (ListBuckets). */
  bucket?: string;
  /** Unencoded object key; each path segment is RFC 3986-encoded here. */
  key?: string;
  /** Query parameters; '' gives a bare flag such as `?uploads` or `?delete`. */
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: Buffer | Uint8Array | string;
  /** Address the bucket as `<bucket>.localhost:PORT` (connects to the endpoint's IP; no DNS involved). */
  virtualHosted?: boolean;
  /** Send Content-MD5 of the body; on by default for `?delete` (Swift requires it for DeleteObjects). */
  contentMd5?: boolean;
  /** Whole-request bound; default 30 s. */
  timeoutMs?: number;
}

export interface RawS3Response {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** RFC 3986 encoding as S3 canonicalizes it: everything but unreserved characters is %XX-encoded. */
function rfc3986(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function encodeKey(key: string): string {
  return key.split('/').map(rfc3986).join('/');
}

export async function rawS3(server: S3TestServer, req: RawS3Request): Promise<RawS3Response> {
  const url = new URL(server.endpoint);
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  const body = req.body === undefined ? Buffer.alloc(0) : Buffer.from(req.body as Uint8Array);
  const virtual = req.virtualHosted && req.bucket;
  const hostname = virtual ? `${req.bucket}.localhost` : url.hostname;
  let path = virtual ? '/' : `/${req.bucket ?? ''}`;
  if (req.key !== undefined) path += `${virtual ? '' : '/'}${encodeKey(req.key)}`;

  const headers: Record<string, string> = {
    host: `${hostname}:${port}`,
    'x-amz-content-sha256': createHash('sha256').update(body).digest('hex'),
  };
  if (body.length > 0 || ['PUT', 'POST'].includes(req.method.toUpperCase())) {
    headers['content-length'] = String(body.length);
  }
  const wantMd5 = req.contentMd5 ?? (req.query !== undefined && 'delete' in req.query);
  if (wantMd5) headers['content-md5'] = createHash('md5').update(body).digest('base64');
  for (const [k, v] of Object.entries(req.headers ?? {})) headers[k.toLowerCase()] = v;

  const signer = await sdkClient(server).config.signer();
  const signed = await signer.sign(
    {
      method: req.method.toUpperCase(),
      protocol: url.protocol,
      hostname,
      port,
      path,
      query: req.query ?? {},
      headers,
      body,
    },
    { signingRegion: server.region, signingService: 's3' },
  );
  const search = Object.entries(req.query ?? {})
    .map(([k, v]) => (v === '' ? rfc3986(k) : `${rfc3986(k)}=${rfc3986(v)}`))
    .join('&');
  const requestPath = search ? `${path}?${search}` : path;

  return new Promise<RawS3Response>((resolve, reject) => {
    const r = http.request(
      { host: url.hostname, port, method: signed.method, path: requestPath, headers: signed.headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
        res.on('error', reject);
      },
    );
    r.setTimeout(req.timeoutMs ?? 30_000, () => r.destroy(new Error(`rawS3 ${req.method} ${requestPath} timed out`)));
    r.on('error', reject);
    r.end(body);
  });
}
