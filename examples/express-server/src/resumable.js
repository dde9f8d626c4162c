import { createRequire } from 'node:module';

const MiB = 1024 * 1024;

/**
 * What the page needs for resumable uploads: files over `threshold` go through tus (`<mount>/uploads`) in
 * `chunkSize` requests, so a dropped connection or a pause costs at most the chunk in flight.
 */
export const RESUMABLE = { threshold: 4 * MiB, chunkSize: 8 * MiB };

// tus-js-client's browser build, served from node_modules by this server: no CDN, no build step.
const tusClient = createRequire(import.meta.url).resolve('tus-js-client/dist/tus.min.js');

/** Serves the tus client at /vendor/tus.min.js. */
export function serveTusClient(app) {
  app.get('/vendor/tus.min.js', (_req, res) => {
    // dotfiles: pnpm keeps packages under node_modules/.pnpm/, which send() would otherwise refuse.
    res.set('Cache-Control', 'public, max-age=3600').type('text/javascript').sendFile(tusClient, { dotfiles: 'allow' });
  });
}
