// Swift's s3api (like AWS for some requests) insists on Content-MD5 for DeleteObjects, but current AWS SDK versions
// only send a CRC32 checksum. This middleware adds Content-MD5 to DeleteObjects requests of an SDK S3Client.
import { createHash } from 'node:crypto';

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
