import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fsBackend } from '@att/backend-fs';

import { expect, it } from 'vitest';
import { attachments } from '../src/index.js';
import { createApp, describeOnEachExpress } from './fixture.js';

describeOnEachExpress('store option', () => {
  it('accepts a bare backend as store (wrapped in a Store)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'att-mw-bare-'));
    const app = createApp();
    app.use('/a', attachments({ store: fsBackend({ dir }), rateLimit: false }));
    const http = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => http.once('listening', resolve));
    try {
      const base = `http://127.0.0.1:${(http.address() as AddressInfo).port}/a`;
      const up = await fetch(`${base}/?filename=bare.txt`, { method: 'POST', body: 'bare backend' });
      expect(up.status).toBe(201);
      const json = await up.json();
      expect(json.size).toBe(12);
      const down = await fetch(`${base}/${json.id}`);
      expect(await down.text()).toBe('bare backend');
    } finally {
      http.closeAllConnections();
      await new Promise((resolve) => http.close(resolve));
      await rm(dir, { recursive: true, force: true });
    }
  });
});
