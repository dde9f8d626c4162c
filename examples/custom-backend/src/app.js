import { attachments } from '@att/express-middleware';
import { createStore, registerBackend } from '@att/store-core';
import express from 'express';
import { packdirPlugin } from './plugin.js';

// Step 6 of the guide: the plugin author's part ends with the plugin; the app opts in to the scheme once.
registerBackend(packdirPlugin);

/** An Express app whose attachments live in a packdir:// directory. */
export function createApp({ storage, middleware = {} }) {
  const store = createStore({ backend: storage, expiry: 3 * 60 * 60 * 1000 });
  const app = express();
  app.use('/attachments', attachments({ store, ...middleware }));
  app.get('/', (_req, res) => {
    res
      .type('text/plain')
      .send('POST a file to /attachments/ (e.g. curl -T file.pdf http://localhost:3001/attachments/)\n');
  });
  return { app, store };
}
