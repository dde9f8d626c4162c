// Seeded random S3 requests for the differential test: the same seed always yields the same requests, so a
// failure report (seed + index) reproduces exactly.
// (No `Date` header: smithy drops it as a generated header, while AWS's own vectors sign it, as we do.)
import { encodeKey, encodeRfc3986 } from '../src/encode.js';

export interface RandomRequest {
  method: string;
  protocol: 'http:' | 'https:';
  hostname: string;
  port: number | undefined;
  /** Encoded once, as an S3 client sends it. */
  path: string;
  /** Raw query string as it appears in the url. */
  rawQuery: string;
  /** The same query decoded, in smithy's shape (repeated keys → arrays). */
  query: Record<string, string | string[]>;
  headers: Record<string, string>;
  body: string | undefined;
  sessionToken: string | undefined;
  region: string;
  date: Date;
  signedPayload: boolean | string | undefined;
  expiresIn: number;
}

const KEY_PIECES = [
  'a',
  'Z',
  '0',
  '9',
  '-',
  '.',
  '_',
  '~',
  ' ',
  '  ',
  '/',
  '//',
  '+',
  '!',
  '$',
  '&',
  "'",
  '(',
  ')',
  '*',
  ',',
  ';',
  '=',
  ':',
  '@',
  '?',
  '#',
  '[',
  ']',
  '%',
  '%20',
  '%2F',
  '"',
  '<',
  '>',
  '\\',
  '^',
  '`',
  '{',
  '|',
  '}',
  'é',
  'ü',
  'ß',
  '日本',
  'ሴ',
  '😀',
  '\u00a0',
  'photos',
  'file.txt',
  '..',
  '.',
  'x'.repeat(40),
];
const QUERY_KEYS = [
  'prefix',
  'delimiter',
  'max-keys',
  'continuation-token',
  'list-type',
  'uploadId',
  'partNumber',
  'versionId',
  'uploads',
  'delete',
  'start-after',
  'encoding-type',
  'response-content-disposition',
  'Ünï',
  'a b',
  'x*y',
];
const HEADER_NAMES = [
  'Content-Type',
  'content-length',
  'Content-MD5',
  'Range',
  'If-Match',
  'If-None-Match',
  'x-amz-storage-class',
  'X-Amz-Acl',
  'x-amz-meta-owner',
  'X-Amz-Meta-Note',
  'Content-Disposition',
  'x-amz-date-custom',
  'x-amz-copy-source',
  'Content-Encoding',
  'Expires',
];
const REGIONS = ['us-east-1', 'eu-west-3', 'ap-southeast-2', 'auto', 'garage'];
const METHODS = ['GET', 'PUT', 'POST', 'DELETE', 'HEAD'];
const BUCKETS = ['examplebucket', 'my-bucket', 'bucket.with.dots', 'b123'];

export function randomRequest(rand: () => number): RandomRequest {
  const int = (n: number) => Math.floor(rand() * n);
  const pick = <T>(list: readonly T[]): T => list[int(list.length)]!;
  const text = (pieces: readonly string[], max: number) => {
    let s = '';
    for (let i = 1 + int(max); i > 0; i--) s += pick(pieces);
    return s;
  };
  const printable = (max: number) => {
    let s = '';
    for (let i = int(max + 1); i > 0; i--) {
      const r = rand();
      s += r < 0.08 ? ' ' : r < 0.11 ? '\t' : r < 0.13 ? '  ' : String.fromCharCode(0x21 + int(94));
    }
    return s;
  };

  const region = pick(REGIONS);
  const bucket = pick(BUCKETS);
  const key = text(KEY_PIECES, 8);
  let hostname: string;
  let port: number | undefined;
  let protocol: 'http:' | 'https:' = 'https:';
  let path: string;
  if (rand() < 0.5) {
    hostname = `${bucket}.s3.${region}.amazonaws.com`; // virtual-hosted
    path = `/${encodeKey(key)}`;
  } else {
    hostname = '127.0.0.1'; // path-style against a local server on a non-default port
    port = 9000 + int(1000);
    protocol = 'http:';
    path = `/${bucket}/${encodeKey(key)}`;
  }

  const query: Record<string, string | string[]> = {};
  const pieces: string[] = [];
  for (let i = int(4); i > 0; i--) {
    const k = rand() < 0.7 ? pick(QUERY_KEYS) : text(KEY_PIECES, 3);
    const v = rand() < 0.2 ? '' : text(KEY_PIECES, 4);
    // Mix encoders: the signer must decode then re-encode to the same canonical form either way.
    const enc = rand() < 0.5 ? encodeRfc3986 : encodeURIComponent;
    pieces.push(v === '' && rand() < 0.5 ? enc(k) : `${enc(k)}=${enc(v)}`);
    const prev = query[k];
    query[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }

  const headers: Record<string, string> = {};
  const used = new Set<string>();
  for (let i = int(6); i > 0; i--) {
    const name = pick(HEADER_NAMES);
    if (used.has(name.toLowerCase())) continue;
    used.add(name.toLowerCase());
    headers[rand() < 0.3 ? name.toUpperCase() : name] = printable(30);
  }

  const body = rand() < 0.4 ? text(KEY_PIECES, 20) : undefined;
  const p = rand();
  const signedPayload = p < 0.4 ? undefined : p < 0.6 ? true : p < 0.9 ? false : 'STREAMING-UNSIGNED-PAYLOAD-TRAILER';
  return {
    method: pick(METHODS),
    protocol,
    hostname,
    port,
    path,
    rawQuery: pieces.join('&'),
    query,
    headers,
    body,
    sessionToken: rand() < 0.3 ? `FwoGZXIvYXdz${printable(60).replace(/\s/g, '')}==` : undefined,
    region,
    date: new Date(Date.UTC(2000, 0, 1) + int(30 * 365 * 86400) * 1000),
    signedPayload,
    expiresIn: 1 + int(604800),
  };
}

export function urlOf(r: RandomRequest): string {
  const port = r.port === undefined ? '' : `:${r.port}`;
  return `${r.protocol}//${r.hostname}${port}${r.path}${r.rawQuery ? `?${r.rawQuery}` : ''}`;
}
