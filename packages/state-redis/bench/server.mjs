// One upload server per process for the state bench: Express + @att/express-middleware on the fs backend, with
// the store total, the visitor limits (rate, total, daily bandwidth) all on, kept in memory or in Redis.
// argv: <memory|redis> <dir> [redis url]. Prints the port on stdout; GET /stats answers the CPU time used.
import { fsBackend } from '@att/backend-fs';
import { attachments } from '@att/express-middleware';
import { createMemoryState, createStore } from '@att/store-core';
import express from 'express';
import { redisState } from '../dist/index.js';

const [kind, dir, url] = process.argv.slice(2);
const GiB = 1024 ** 3;
const state = kind === 'redis' ? redisState({ url, prefix: `bench-${process.pid}:` }) : createMemoryState();
const store = createStore({
  backend: fsBackend({ dir, fsync: false }),
  totalSizeLimit: 1024 * GiB,
  fileSizeLimit: GiB,
  ledger: state.ledger,
  lease: state.lease,
});

const app = express();
app.get('/stats', (_req, res) => {
  const { user, system } = process.cpuUsage();
  res.json({ cpuSeconds: (user + system) / 1e6 });
});
// Every limit on, high enough never to refuse: the bench measures what charging them costs, not refusals.
app.use(
  '/upload',
  attachments({
    store,
    limits: state.limits,
    visitorTotalSizeLimit: 1024 * GiB,
    visitorDailyBandwidth: 1024 * GiB,
    rateLimit: { burst: 1_000_000, refillMs: 1 },
    authorize: () => true,
  }),
);

const server = app.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`));
const stop = async () => {
  server.close();
  await store.close();
  await state.close();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
