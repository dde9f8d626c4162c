import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeBackendConformance } from '@att/store-core/testing';
import { afterAll } from 'vitest';
import { packdirBackend } from '../src/packdir-backend.js';

// The same suite every att backend runs, unchanged: this is how a plugin author proves their backend.
const dir = mkdtempSync(join(tmpdir(), 'att-packdir-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeBackendConformance('packdir', () => packdirBackend({ dir }));
