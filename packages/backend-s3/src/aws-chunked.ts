/**
 * The `aws-chunked` body of a streamed upload with a trailing checksum (x-amz-content-sha256
 * `STREAMING-UNSIGNED-PAYLOAD-TRAILER`): the bytes in frames of `<hex length>\r\n<bytes>\r\n`, a last frame of
 * length 0, then the checksum as a trailer line and an empty line. A stream's checksum is only known after its
 * last byte; sent this way, the server checks it before it commits anything, and Object Lock buckets (which want a
 * checksum on every PUT) take streamed writes. Only for servers known to verify checksums: Swift answers 501.
 *
 * Frames are FRAME_SIZE long (the last one shorter), whatever pieces the source yields, so the encoded length —
 * the Content-Length S3 wants beside `x-amz-decoded-content-length` — follows from the size alone. The source's
 * bytes are passed through as views (no copy); the framing goes out as small separate writes.
 */
import { AttError } from '@att/store-core';
import type { ChecksumAlgorithm } from './checksum-algorithm.js';

export const STREAMING_UNSIGNED_TRAILER = 'STREAMING-UNSIGNED-PAYLOAD-TRAILER';
/** 64 KiB: 9 bytes of framing per frame (0.014 %); AWS wants frames of at least 8 KiB but the last. */
export const FRAME_SIZE = 64 * 1024;

const CRLF = '\r\n';

function frameHeaderLength(length: number): number {
  return length.toString(16).length + 2;
}

/** The bytes an aws-chunked body of `size` bytes with `algorithm`'s trailer takes on the wire. */
export function awsChunkedLength(size: number, algorithm: ChecksumAlgorithm, frameSize = FRAME_SIZE): number {
  const full = Math.floor(size / frameSize);
  const rest = size % frameSize;
  let length = full * (frameHeaderLength(frameSize) + frameSize + 2);
  if (rest > 0) length += frameHeaderLength(rest) + rest + 2;
  return length + '0\r\n'.length + algorithm.header.length + 1 + algorithm.digestLength + 2 + 2;
}

/** The request headers an aws-chunked body of `size` bytes goes with (signed with the request). */
export function awsChunkedHeaders(
  size: number,
  algorithm: ChecksumAlgorithm,
  frameSize = FRAME_SIZE,
): Record<string, string> {
  return {
    'content-encoding': 'aws-chunked',
    'content-length': String(awsChunkedLength(size, algorithm, frameSize)),
    'x-amz-decoded-content-length': String(size),
    'x-amz-sdk-checksum-algorithm': algorithm.s3Name,
    'x-amz-trailer': algorithm.header,
  };
}

/** `source` (exactly `size` bytes) framed as aws-chunked, with `algorithm`'s checksum of it as the trailer. */
export async function* awsChunkedBody(
  source: AsyncIterable<Uint8Array>,
  size: number,
  algorithm: ChecksumAlgorithm,
  frameSize = FRAME_SIZE,
): AsyncGenerator<Uint8Array> {
  const hasher = algorithm.createHasher();
  let sent = 0;
  let leftInFrame = 0;
  for await (const chunk of source) {
    let offset = 0;
    while (offset < chunk.length) {
      if (leftInFrame === 0) {
        leftInFrame = Math.min(frameSize, size - sent);
        if (leftInFrame <= 0) throw tooLong(size);
        yield Buffer.from(`${sent > 0 ? CRLF : ''}${leftInFrame.toString(16)}${CRLF}`, 'latin1');
      }
      const piece = chunk.subarray(offset, offset + leftInFrame);
      hasher.update(piece);
      offset += piece.length;
      leftInFrame -= piece.length;
      sent += piece.length;
      yield piece;
    }
  }
  if (sent !== size) throw tooLong(size, sent);
  const trailer = `${algorithm.header}:${hasher.digest()}${CRLF}${CRLF}`;
  yield Buffer.from(`${sent > 0 ? CRLF : ''}0${CRLF}${trailer}`, 'latin1');
}

function tooLong(size: number, got?: number): AttError {
  return new AttError(
    'SIZE_MISMATCH',
    got === undefined ? `body longer than its declared ${size} bytes` : `body of ${got} bytes, declared ${size}`,
    { details: { expected: size, ...(got === undefined ? {} : { received: got }) } },
  );
}
