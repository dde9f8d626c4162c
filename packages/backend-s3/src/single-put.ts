/**
 * One PutObject, from a buffer (signed, resendable) or a stream of known length (sent once; aws-chunked with a
 * trailing checksum where the server verifies checksums, aws-chunked.ts). Its answer's ETag is
 * checked against the MD5 of the bytes sent (put-verification.ts) where nothing else checked them; when the answer
 * is lost, the bucket decides (ambiguity.ts). For both, a streamed body's MD5 is computed on the way out; a
 * buffer's only when needed. Measured here: MD5 runs at ≈ 720 MiB/s, so the ≤ partSize bodies that go up this way
 * (8 MiB by default) cost ≈ 1.4 ms per MiB of CPU, against ≈ 4 ms per MiB to send them (README "Integrity").
 */
import { createHash } from 'node:crypto';
import { confirmWritten, isAmbiguous } from './ambiguity.js';
import { awsChunkedBody, awsChunkedHeaders, STREAMING_UNSIGNED_TRAILER } from './aws-chunked.js';
import { headerValue } from './errors.js';
import type { PutObjectOptions } from './put-options.js';
import { verifyStoredPut } from './put-verification.js';
import type { S3Transport } from './transport.js';
import type { UploadResult, UploadTarget } from './upload-target.js';

export async function singlePut(
  transport: S3Transport,
  target: UploadTarget,
  body: Uint8Array | AsyncIterable<Uint8Array>,
  headers: Record<string, string>,
  options: PutObjectOptions,
  streamedSize?: number,
): Promise<UploadResult> {
  const size = streamedSize ?? (body as Uint8Array).length;
  let digest: string | undefined;
  let md5: () => string;
  let sent = streamedSize === undefined;
  let payloadHash: string | undefined;
  if (streamedSize === undefined) {
    const bytes = body as Uint8Array;
    md5 = () => {
      digest ??= createHash('md5').update(bytes).digest('hex');
      return digest;
    };
  } else {
    const hash = createHash('md5');
    const source = body as AsyncIterable<Uint8Array>;
    md5 = () => {
      digest ??= hash.digest('hex');
      return digest;
    };
    body = (async function* hashed() {
      for await (const chunk of source) {
        hash.update(chunk);
        yield chunk;
      }
      sent = true;
    })();
    // Where the server verifies checksums, the stream's goes after it as a trailer: checked before the commit.
    const trailer = transport.checksums.trailer;
    if (trailer) {
      body = awsChunkedBody(body, streamedSize, trailer);
      headers = { ...headers, ...awsChunkedHeaders(streamedSize, trailer) };
      payloadHash = STREAMING_UNSIGNED_TRAILER;
    }
  }
  let response: Awaited<ReturnType<S3Transport['send']>>;
  try {
    response = await transport.send(
      {
        operation: 'PutObject',
        key: target.key,
        method: 'PUT',
        headers,
        body,
        ...(payloadHash ? { payloadHash } : {}),
        signal: options.signal,
        readText: true,
      },
      target.encodedKey,
    );
  } catch (err) {
    // Only a body that went out whole can have been stored (S3 publishes a PUT whole or not at all).
    if (!sent || !isAmbiguous(err)) throw err;
    const found = await confirmWritten(transport, target, { size, etag: md5() });
    if (!found) throw err;
    if (streamedSize === undefined) options.onProgress?.(size);
    return { size, ...found };
  }
  // A streamed body's MD5 is there anyway; a buffer's is computed only when no hash or checksum covered it.
  if (transport.checksums.checksEtags && (streamedSize !== undefined || !response.bodyChecked)) {
    await verifyStoredPut(transport, target, md5(), response.headers);
  }
  if (streamedSize === undefined) options.onProgress?.(size);
  return { size, etag: headerValue(response.headers, 'etag'), date: headerValue(response.headers, 'date') };
}
