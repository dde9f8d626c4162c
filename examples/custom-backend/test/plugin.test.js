import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describePluginConformance } from '@att/store-core/testing';
import { afterAll } from 'vitest';
import { packdirPlugin } from '../src/plugin.js';

// Step 5 of the guide. The plugin suite every att plugin runs: scheme, lazy create, errors that never echo the URL, URL-wins precedence.
const dir = mkdtempSync(join(tmpdir(), 'att-packdir-plugin-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describePluginConformance(packdirPlugin, {
  validUrl: `packdir://${dir}`,
  invalidUrls: [
    'packdir://admin:hunter2-packdir@nas.example/share',
    'packdir:///',
    `packdir://${dir}?fsync=maybe`,
    `packdir://${dir}?colour=blue`,
    'packdir:///tmp/a%2Fb',
  ],
  secretInUrl: 'hunter2-packdir',
  precedence: {
    urlWith: `packdir://${dir}?fsync=true`,
    urlWithout: `packdir://${dir}`,
    options: { fsync: false },
    read: (backend) => backend.fsync,
  },
});
