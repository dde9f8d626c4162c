// `pnpm start`: the attachments API on http://localhost:3001, stored by the packdir backend in ./data.
import { fileURLToPath } from 'node:url';
import { createApp } from './app.js';

const port = Number(process.env.PORT ?? 3001);
const dataDir = fileURLToPath(new URL('../data/', import.meta.url));
const storage = process.env.ATT_STORAGE || `packdir://${dataDir}`;

const { app, store } = createApp({ storage });
store.startCleanup();
const server = app.listen(port, () => {
  console.log(
    `custom-backend example listening on http://localhost:${server.address().port}/ (${storage.split(':')[0]}: backend)`,
  );
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    server.close();
    store.close().finally(() => process.exit(0));
  });
}
