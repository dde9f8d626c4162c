// fsPlugin against the plugin suite every att plugin runs: scheme, lazy create, config errors without the URL,
// the URL-wins precedence rule, nothing registered on import.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describePluginConformance } from '@att/store-core/testing';
import { afterAll } from 'vitest';
import { type FsBackend, fsPlugin } from '../src/index.js';

const dir = mkdtempSync(path.join(tmpdir(), 'att-fs-plugin-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const url = pathToFileURL(dir).href;

describePluginConformance(fsPlugin, {
  validUrl: url,
  invalidUrls: [
    'file://nas.example/share',
    'file://admin:hunter2-fs-secret@nas.example/share',
    `${url}?fsync=maybe`,
    `${url}?fsynk=false`,
    'file:///tmp/a%2Fb',
  ],
  secretInUrl: 'hunter2-fs-secret',
  precedence: {
    urlWith: `${url}?fsync=true`,
    urlWithout: url,
    options: { fsync: false },
    read: (backend) => (backend as FsBackend).fsync,
  },
});
