// One tus server per process, so each implementation's peak RSS is its own.
// argv: <att-fs|tus-fs|att-s3|tus-s3> <dir> ['{"endpoint","bucket","accessKeyId","secretAccessKey"}']. Prints its
// port on stdout; GET /stats answers the RSS once its modules were loaded (idle), the peak RSS so far and the
// process's CPU time. Both serve /files/uploads. BENCH_TUS_IN_EXPRESS=1 mounts @tus/server in an Express app too, as
// an app that also serves other routes would (att is Express middleware, so its process always loads Express).
import http from 'node:http';

const [impl, dir, s3Json] = process.argv.slice(2);
const PART = Number(process.env.BENCH_PART_MIB ?? 8) * 1024 * 1024;
const s3 = { region: 'us-east-1', ...JSON.parse(s3Json ?? '{}') };
const { endpoint, bucket } = s3;

let peakRss = process.memoryUsage.rss();
setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
}, 20).unref();

let idleRss = 0;
function stats(res) {
  const { user, system } = process.cpuUsage();
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ idleRss, peakRss, cpuSeconds: (user + system) / 1e6 }));
}

let handler;
// Each process loads only its own implementation's modules (the AWS SDK weighs on RSS), so peaks compare fairly.
if (impl.startsWith('att-')) {
  const { attachments } = await import('../dist/index.js');
  const { createStore } = await import('@att/store-core');
  const { default: express } = await import('express');
  const backend =
    impl === 'att-fs'
      ? (await import('@att/backend-fs')).fsBackend({ dir, fsync: process.env.BENCH_FSYNC === '1' })
      : (await import('@att/backend-s3')).s3Backend({ ...s3, prefix: 'att', partSize: PART });
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
  const datastore =
    impl === 'tus-fs'
      ? new (await import('@tus/file-store')).FileStore({ directory: dir })
      : new (await import('@tus/s3-store')).S3Store({
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
  if (process.env.BENCH_TUS_IN_EXPRESS === '1') {
    const { default: express } = await import('express');
    const app = express();
    app.get('/stats', (_req, res) => stats(res));
    app.use('/files/uploads', (req, res) => {
      req.url = req.originalUrl;
      tus.handle(req, res);
    });
    handler = app;
  }
}
idleRss = process.memoryUsage.rss();
peakRss = Math.max(peakRss, idleRss);

const server = http.createServer(handler);
server.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`));
