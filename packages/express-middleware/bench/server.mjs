// One upload server per process, so each implementation's peak RSS is its own.
// argv: <att|multer> <dir>. Prints the port on stdout; GET /stats answers the peak RSS seen so far and the
// process's CPU time (user + system), which a busy machine distorts far less than wall-clock time.

import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fsBackend } from '@att/backend-fs';
import { createStore } from '@att/store-core';
import express from 'express';
import multer from 'multer';
import { attachments } from '../dist/index.js';

const [impl, dir] = process.argv.slice(2);
const GiB = 1024 ** 3;

let peakRss = process.memoryUsage.rss();
setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
}, 20).unref();

const app = express();
// ?reset=1 starts a new peak after answering: the client measures the peak of each timed phase on its own, so
// work outside the timed uploads (att's DELETEs between rounds, the verification reads) is not in the figure.
app.get('/stats', (req, res) => {
  const { user, system } = process.cpuUsage();
  res.json({ peakRss, cpuSeconds: (user + system) / 1e6 });
  if (req.query.reset) peakRss = process.memoryUsage.rss();
});
// Between rounds the client removes what it uploaded with a DELETE to each server: both then do the same kind of
// work between timed rounds, so neither's heap and GC state going into a round is shaped by work the other skips.

if (impl === 'att') {
  const store = createStore({ backend: fsBackend({ dir, fsync: process.env.BENCH_FSYNC === '1' }) });
  app.use(
    '/upload',
    attachments({
      store,
      fileSizeLimit: GiB,
      visitorTotalSizeLimit: false,
      visitorDailyBandwidth: false,
      rateLimit: false,
      authorize: () => true,
    }),
  );
} else if (impl === 'multer') {
  const upload = multer({ storage: multer.diskStorage({ destination: dir }), limits: { fileSize: GiB } });
  app.post('/upload', upload.single('file'), (req, res) => {
    res.status(201).json({ id: req.file.filename, size: req.file.size });
  });
  // What a multer app needs to delete an upload: the file is the whole record. multer's names are 32 hex digits.
  app.delete('/upload/:id', async (req, res, next) => {
    if (!/^[0-9a-f]{32}$/.test(req.params.id)) return res.status(400).end();
    try {
      await rm(join(dir, req.params.id));
      res.status(204).end();
    } catch (err) {
      next(err);
    }
  });
} else {
  throw new Error(`unknown implementation ${impl}`);
}

const server = app.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${server.address().port}\n`);
});
// The client keeps its connections across rounds; while the other server's round runs (seconds on a loaded
// machine), Node's 5 s default would close them and race the next request (ECONNRESET).
server.keepAliveTimeout = 10 * 60 * 1000;
// A normal exit on either signal, so `node --cpu-prof` can write its profile when the bench stops the server.
process.on('SIGINT', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));
