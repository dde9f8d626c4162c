/** Presigned URLs: a request anyone holding the URL can make until it expires, signed with the client's keys. */
import { presignUrl } from '@att/s3-sigv4';
import { AttError } from '@att/store-core';
import { type S3Transport, signingOptions } from './transport.js';
import type { UploadTarget } from './upload-target.js';

export interface PresignGetOptions {
  /** Seconds, 1..604800. */
  expiresIn: number;
  /** Makes S3 answer with this Content-Disposition (e.g. `attachment; filename="a.txt"`). */
  responseContentDisposition?: string;
}

export interface PresignPutOptions {
  expiresIn: number;
  /** Signed into the URL: the uploader must send exactly this Content-Type. */
  contentType?: string;
}

/** `query` and `headers` are signed into the URL (the caller must send exactly these headers). */
export async function presignRequest(
  transport: S3Transport,
  target: UploadTarget,
  region: string,
  request: {
    method: string;
    expiresIn: number;
    query: Record<string, string> | undefined;
    headers: Record<string, string> | undefined;
  },
): Promise<string> {
  const { origin, path } = transport.address(target.encodedKey);
  const creds = await transport.credentials();
  // URLSearchParams writes spaces as "+"; SigV4's canonical query wants "%20".
  const search = request.query ? `?${new URLSearchParams(request.query).toString().replace(/\+/g, '%20')}` : '';
  const { method, headers } = request;
  try {
    return presignUrl(
      { method, url: origin + path + search, ...(headers ? { headers } : {}) },
      { ...signingOptions(creds, region), expiresIn: request.expiresIn, date: transport.now() },
    );
  } catch (err) {
    throw new AttError('INVALID_REQUEST', `S3 presign: ${(err as Error).message}`);
  }
}
