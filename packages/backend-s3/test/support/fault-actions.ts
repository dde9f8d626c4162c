// What the fault proxy can do to one request, and the canned S3-style answers it sends.
import type { IncomingHttpHeaders } from 'node:http';

export interface ProxiedRequest {
  method: string;
  /** Raw (still percent-encoded) path, e.g. /bucket/some%20key. */
  path: string;
  /** Decoded query parameters; flags like `?uploads` appear with value ''. */
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  /** 1 for the first time this exact method + URL is seen, 2 for its first retry, ... */
  attempt: number;
  /** 0-based arrival index over all requests. */
  index: number;
}

export type FaultAction =
  /** Forward unchanged. */
  | 'pass'
  /** Destroy the connection without answering, before reading the request body. */
  | 'reset'
  | { reset: 'before-body' | 'after-body' }
  /** Answer with this status and an S3 XML error (or `body`), without contacting the server. */
  | {
      status: number;
      s3Code?: string;
      message?: string;
      body?: string | Buffer;
      headers?: Record<string, string>;
      /** Default true: drain the request body before answering. */
      readBody?: boolean;
    }
  /** Answer with broken XML (status default 200), e.g. to a ListObjectsV2 or CompleteMultipartUpload. */
  | { malformedXml: true; status?: number; readBody?: boolean }
  /** Hold the request for stallMs (capped at 60 s), then do `andThen` (default 'pass') if the client is still there. */
  | { stallMs: number; andThen?: FaultAction }
  /** Forward, but cut the connection after this many response body bytes. */
  | { resetAfterBytes: number }
  /**
   * Forward, let the server finish (it has committed whatever the request did), then cut the client's connection
   * without a byte of the answer: the "lost answer" an S3 client cannot tell from a request that never arrived.
   */
  | { dropAnswer: true }
  /**
   * Forward, with one byte of the request body inverted on the way (offset counted in the body as sent, so in an
   * aws-chunked body it counts the framing too): the corruption nothing but an end-to-end check can see.
   */
  | { flipByte: number };

const escapeXml = (s: string) => s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function s3ErrorXml(code: string, message: string, requestId: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<Error><Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message>` +
    `<RequestId>${escapeXml(requestId)}</RequestId></Error>`
  );
}

const DEFAULT_CODES: Record<number, string> = {
  400: 'InvalidRequest',
  403: 'AccessDenied',
  404: 'NoSuchKey',
  429: 'SlowDown',
  500: 'InternalError',
  502: 'BadGateway',
  503: 'SlowDown',
  504: 'GatewayTimeout',
};

export function faultResponse(
  action: Extract<FaultAction, { status: number } | { malformedXml: true }>,
  req: ProxiedRequest,
): { status: number; headers: Record<string, string>; body: Buffer } {
  const requestId = `fault-proxy-${req.index}`;
  if ('malformedXml' in action) {
    const body = Buffer.from('<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult><Name>b</Name><Contents><Key>');
    return {
      status: action.status ?? 200,
      headers: {
        'content-type': 'application/xml',
        'content-length': String(body.length),
        'x-amz-request-id': requestId,
      },
      body,
    };
  }
  const code = action.s3Code ?? DEFAULT_CODES[action.status] ?? 'InternalError';
  const body =
    action.body === undefined
      ? Buffer.from(s3ErrorXml(code, action.message ?? `injected ${action.status} ${code}`, requestId))
      : Buffer.from(action.body);
  return {
    status: action.status,
    headers: {
      'content-type': 'application/xml',
      'content-length': String(body.length),
      'x-amz-request-id': requestId,
      ...action.headers,
    },
    body,
  };
}

/** A rule helper: the first `times` attempts of each request matching `match` get `action`, the rest pass. */
export function failFirstAttempts(
  match: (req: ProxiedRequest) => boolean,
  times: number,
  action: FaultAction,
): (req: ProxiedRequest) => FaultAction | undefined {
  return (req) => (match(req) && req.attempt <= times ? action : undefined);
}
