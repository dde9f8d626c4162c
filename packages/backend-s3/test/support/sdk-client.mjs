// The AWS SDK as an independent S3 client for tests and the benchmark, set up the one way our test servers need.
import { createHash } from 'node:crypto';
import { S3Client } from '@aws-sdk/client-s3';

/**
 * A path-style SDK client for `server` ({ endpoint, region, accessKeyId, secretAccessKey }); `options` add to or
 * override the client settings (retries, HTTP agent).
 */
export function createSdkClient(server, options = {}) {
  const client = new S3Client({
    endpoint: server.endpoint,
    region: server.region,
    forcePathStyle: true,
    credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
    // Swift rejects aws-chunked uploads and the newer default checksum trailers; only send them when asked.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    ...options,
  });
  return addDeleteObjectsContentMd5(client);
}

// Swift's s3api (like AWS for some requests) insists on Content-MD5 for DeleteObjects, but current AWS SDK versions
// only send a CRC32 checksum. This middleware adds Content-MD5 to DeleteObjects requests of an SDK S3Client.
export function addDeleteObjectsContentMd5(client) {
  client.middlewareStack.add(
    (next) => async (args) => {
      const request = args.request;
      const body = request?.body;
      if (request?.query && 'delete' in request.query && (typeof body === 'string' || body instanceof Uint8Array)) {
        request.headers['content-md5'] = createHash('md5').update(body).digest('base64');
      }
      return next(args);
    },
    { step: 'build', name: 'attDeleteObjectsContentMd5', priority: 'low' },
  );
  return client;
}
