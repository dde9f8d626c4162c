import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describeBackendConformance } from '@att/store-core/testing';
import { afterAll } from 'vitest';
import { fsBackend } from '../src/index.js';

const dir = mkdtempSync(path.join(tmpdir(), 'att-fs-conformance-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeBackendConformance('fs (fsync on)', () => fsBackend({ dir }));
describeBackendConformance('fs (fsync off)', () => fsBackend({ dir: path.join(dir, 'nofsync'), fsync: false }), {
  largeBodies: false,
});
