// One instance of a test fleet: the example app in its own process, sharing Redis and a bucket or directory with
// its siblings. Config comes from the environment (ATT_STORAGE, ATT_REDIS, ATT_FLEET = JSON of store/middleware
// options); it prints `listening <port>` once ready. Test-only routes: POST /__cleanup runs a cleanup pass.
import { redisState } from '@att/state-redis';
import { createApp } from '../../src/app.js';

const config = JSON.parse(process.env.ATT_FLEET ?? '{}');
// A generous command timeout: on a loaded 2-core CI machine a slow answer must not pass for an outage.
const state = redisState({ url: process.env.ATT_REDIS, prefix: config.prefix ?? 'att:', commandTimeout: 10_000 });
const storeOptions = { ...(config.store ?? {}) };
if (config.slowCleanupMs) {
  // Holds a cleanup pass open long enough for a sibling's pass to overlap it (the lease test).
  storeOptions.orphanGracePeriod = 0;
  storeOptions.isReferenced = async (ids) => {
    await new Promise((resolve) => setTimeout(resolve, config.slowCleanupMs));
    return ids;
  };
}
const { app, store } = createApp({
  storage: process.env.ATT_STORAGE,
  store: storeOptions,
  middleware: config.middleware ?? {},
  state,
});
app.post('/__cleanup', async (_req, res) => {
  res.json(await store.cleanup());
});
const server = app.listen(0, '127.0.0.1', () => {
  console.log(`listening ${server.address().port}`);
});
process.once('SIGTERM', () => {
  server.close();
  store.close().finally(() => state.close().finally(() => process.exit(0)));
});
