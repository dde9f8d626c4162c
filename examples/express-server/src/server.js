// `pnpm start`: an upload page and the attachments API on http://localhost:3000, files in ./data.
// ATT_STORAGE=s3://KEY:SECRET@BUCKET/PREFIX?region=…&endpoint=… switches to S3 (or any registered scheme).
// ATT_REDIS=redis://HOST:PORT shares limits, the store total and cleanup between several instances.
// ATT_DIRECT=1 (with S3) lets browsers upload straight to the bucket through Uppy (README, "Direct uploads");
// ATT_DIRECT_SECRET (≥ 32 bytes) is the key-sealing secret several instances share.
import { deferContinue } from '@att/express-middleware';
import { createApp } from './app.js';
import { checkAtBoot } from './health.js';

const port = Number(process.env.PORT ?? 3000);
const storage = process.env.ATT_STORAGE || undefined;

let app;
let store;
let metrics;
let state;
try {
  if (process.env.ATT_REDIS) {
    const { redisState } = await import('@att/state-redis');
    state = redisState({ url: process.env.ATT_REDIS });
  }
  // A fleet (ATT_REDIS) shares ATT_DIRECT_SECRET too, so any instance serves any step of a direct upload.
  const secret = process.env.ATT_DIRECT_SECRET;
  const middleware = process.env.ATT_DIRECT === '1' ? { direct: secret ? { secret } : true } : {};
  ({ app, store, metrics } = createApp({ storage, state, middleware }));
  // A missing bucket, an unwritable directory or refused credentials stop the start here, not the first upload.
  await checkAtBoot(store);
} catch (err) {
  // Only the message: a storage or Redis URL can carry credentials, and messages never do.
  console.error(`Cannot start: ${err.message}`);
  process.exit(1);
}

// Reconcile in the background: expired objects and stale incomplete uploads are deleted every 15 minutes, and the
// (shared) total is corrected from the listing. With ATT_REDIS one instance of the fleet runs each pass.
store.startCleanup();

const server = app.listen(port, () => {
  // Only the scheme is printed: storage URLs can carry credentials.
  const scheme = storage && /^([a-z][a-z0-9+.-]+):/i.exec(storage)?.[1];
  const where = scheme ? `the ${scheme}: backend` : (storage ?? 'the ./data directory');
  console.log(`att example listening on http://localhost:${server.address().port}/ (files in ${where})`);
});
// `Expect: 100-continue` uploads (curl sends it for bodies over 1 MiB) get a refusal before sending their body.
deferContinue(server);

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    app.locals.draining = true; // /readyz answers 503 from now on
    server.close();
    metrics.close();
    store
      .close()
      .then(() => state?.close())
      .finally(() => process.exit(0));
  });
}
