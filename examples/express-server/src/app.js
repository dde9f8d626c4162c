import { fileURLToPath } from 'node:url';
import { attachments } from '@att/express-middleware';
import { createStore } from '@att/store-core';
import express from 'express';
import { checkStorage } from './storage.js';

const publicDir = fileURLToPath(new URL('../public/', import.meta.url));
export const defaultDataDir = fileURLToPath(new URL('../data/', import.meta.url));

/**
 * The whole example: a store on `storage` (a path or any registered URL scheme), the attachments router on
 * /attachments, and the upload page on /. `middleware` passes options through to attachments().
 */
export function createApp({ storage = defaultDataDir, store: storeOptions = {}, middleware = {} } = {}) {
  checkStorage(storage);
  const store = createStore({ backend: storage, totalSizeLimit: 5 * 1024 ** 3, ...storeOptions });
  const app = express();
  app.disable('x-powered-by');
  // Outages are answered 503 to the client; the operator sees the code and the (credential-free) message.
  const onError = (err) => console.error(`[att] ${err.code ?? 'ERROR'}: ${err.message}`);
  app.use('/attachments', attachments({ store, onError, ...middleware }));
  app.use(express.static(publicDir, { index: 'index.html' }));
  return { app, store };
}
