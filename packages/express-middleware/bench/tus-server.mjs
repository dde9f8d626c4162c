// One tus server per process, so each implementation's peak RSS is its own.
// argv: <att-fs|tus-fs|att-s3|tus-s3> <dir> ['{"endpoint","bucket","accessKeyId","secretAccessKey"}']. Prints its
// port on stdout; GET /stats answers the peak RSS so far and the process's CPU time. Both serve /files/uploads.
import http from 'node:http';

const [impl, dir, s3Json] = process.argv.slice(2);
const PART = Number(process.env.BENCH_PART_MIB ?? 8) * 1024 * 1024;
const s3 = { region: 'us-east-1', ...JSON.parse(s3Json ?? '{}') };
const { endpoint, bucket } = s3;

let peakRss = process.memoryUsage.rss();
setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
}, 20).unref();

function stats(res) {
  const { user, system } = process.cpuUsage();
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ peakRss, cpuSeconds: (user + system) / 1e6 }));
}

let handler;
// Each process loads only its own implementation's modules (the AWS SDK weighs on RSS), so peaks compare fairly.
if (impl.startsWith('att-')) {
  const { attachments } = await import('../dist/index.js');
  const { createStore } = await import('@att/store-core');
  const { default: express } = await import('express');
  const { fsBackend } = await import('@att/backend-fs');
  const { s3Backend } = await import('@att/backend-s3');
  const backend =
    impl === 'att-fs'
      ? fsBackend({ dir, fsync: process.env.BENCH_FSYNC === '1' })
      : s3Backend({ ...s3, prefix: 'att', partSize: PART });
  const app = express();
  app.get('/stats', (_req, res) => stats(res));
  const store = createStore({ backend });
  app.use(
    '/files',
    attachments({
      store,
      resumable: true,
      rateLimit: false,
      visitorTotalSizeLimit: false,
      visitorDailyBandwidth: false,
    }),
  );
  handler = app;
} else {
  const { Server } = await import('@tus/server');
  const { FileStore } = await import('@tus/file-store');
  const { S3Store } = await import('@tus/s3-store');
  const datastore =
    impl === 'tus-fs'
      ? new FileStore({ directory: dir })
      : new S3Store({
          partSize: PART,
          s3ClientConfig: {
            bucket,
            region: s3.region,
            endpoint,
            forcePathStyle: true,
            // Swift refuses the SDK's default aws-chunked streaming checksums (501): compute them only when required.
            requestChecksumCalculation: 'WHEN_REQUIRED',
            responseChecksumValidation: 'WHEN_REQUIRED',
            credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
          },
        });
  const tus = new Server({ path: '/files/uploads', datastore });
  handler = (req, res) => (req.url === '/stats' ? stats(res) : tus.handle(req, res));
}

const server = http.createServer(handler);
server.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`));
