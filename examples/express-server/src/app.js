import { fileURLToPath } from 'node:url';
import { attachments, DEFAULTS } from '@att/express-middleware';
import { createStore } from '@att/store-core';
import express from 'express';
import { healthRoute } from './health.js';
import { createLogger } from './logger.js';
import { createMetrics } from './metrics.js';
import { RESUMABLE, serveTusClient } from './resumable.js';
import { checkStorage } from './storage.js';

const publicDir = fileURLToPath(new URL('../public/', import.meta.url));
/** The bundled Uppy module for direct uploads (scripts/build-page.js), served under /build/. */
const buildDir = fileURLToPath(new URL('../dist/', import.meta.url));
export const defaultDataDir = fileURLToPath(new URL('../data/', import.meta.url));

const MiB = 1024 * 1024;
/** The example's limits, in one place: the store enforces them, and /config.json shows them to the page. */
const LIMITS = { fileSizeLimit: 15 * MiB, expiry: 3 * 60 * 60 * 1000, totalSizeLimit: 5 * 1024 * MiB };

/**
 * The whole example: a store on `storage` (a path or any registered URL scheme), the attachments router on
 * /attachments, the page's configuration on /config.json and the upload page on /. `middleware` passes options
 * through to attachments(); `store` to createStore(). `state` is what several instances share (`redisState()` from
 * @att/state-redis); without it, limits count in this process.
 */
export function createApp({
  storage = defaultDataDir,
  store: storeOptions = {},
  middleware = {},
  state,
  logger = createLogger(),
} = {}) {
  checkStorage(storage);
  const shared = state ? { ledger: state.ledger, lease: state.lease } : {};
  // The router logs through the store's logger: 5xx answers at error level with the requestId the client got.
  const store = createStore({ backend: storage, ...LIMITS, ...shared, logger, ...storeOptions });
  const app = express();
  app.disable('x-powered-by');
  // Big files go through tus (see resumable.js) when the backend can resume; with `state`, one writer per upload
  // across the fleet.
  const resumable = store.backend.resumable ? (state ? { lease: state.lease } : true) : false;
  const options = {
    store,
    ownerDelete: true,
    resumable,
    ...(state ? { limits: state.limits } : {}),
    ...middleware,
  };
  // Before any body parser: the router reads upload bodies itself (see the middleware README, "Mounting").
  app.use('/attachments', attachments(options));

  // What the page shows and checks before uploading: the limits the server enforces, never a copy in the HTML.
  const config = {
    fileSizeLimit: middleware.fileSizeLimit ?? store.limits.fileSizeLimit,
    expiry: middleware.expiry ?? store.limits.expiry,
    maxFiles: middleware.maxFiles ?? DEFAULTS.maxFiles,
    visitorTotalSizeLimit: middleware.visitorTotalSizeLimit ?? DEFAULTS.visitorTotalSizeLimit,
    visitorDailyBandwidth: middleware.visitorDailyBandwidth ?? DEFAULTS.visitorDailyBandwidth,
    ownerDelete: options.ownerDelete === true,
    ...(options.resumable ? { resumable: RESUMABLE } : {}),
    // `direct` (an S3 store): the page uploads through Uppy straight to the bucket (src/browser/direct-upload.js).
    direct: Boolean(options.direct),
  };
  // Load balancers and orchestrators ask here whether this instance can store and serve files.
  const health = healthRoute(store);
  app.get('/healthz', health);
  // Readiness: healthy and not shutting down (server.js sets app.locals.draining on SIGTERM), so a balancer
  // stops sending new requests while the ones in flight finish.
  app.get('/readyz', (req, res) => {
    if (!app.locals.draining) return health(req, res);
    res.set('Cache-Control', 'no-store').status(503).json({ status: 'draining' });
  });
  const metrics = createMetrics(store);
  app.get('/metrics', metrics.handler);
  app.get('/config.json', (_req, res) => {
    res.set('Cache-Control', 'no-store').json(config);
  });
  serveTusClient(app);
  app.use('/build', express.static(buildDir));
  app.use(express.static(publicDir, { index: 'index.html' }));
  return { app, store, metrics, logger };
}
