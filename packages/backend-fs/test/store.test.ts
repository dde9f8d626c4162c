import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describeStoreConformance } from '@att/store-core/testing';
import { afterAll } from 'vitest';
import { fsBackend } from '../src/index.js';

const dir = mkdtempSync(path.join(tmpdir(), 'att-fs-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeStoreConformance('fs', () => fsBackend({ dir }));
