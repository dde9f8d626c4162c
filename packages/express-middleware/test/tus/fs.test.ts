// The tus scenarios on the fs backend (fsync on, the default) and on the memory backend.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fsBackend } from '@att/backend-fs';
import { createMemoryBackend, createMemoryStorage } from '@att/store-core/testing';
import { afterAll } from 'vitest';
import { describeTusScenarios } from './scenarios.js';
import { describeTusStoredHeaders } from './stored-headers.js';

const dir = mkdtempSync(path.join(tmpdir(), 'att-tus-fs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeTusScenarios('fs', { backend: () => fsBackend({ dir }) });
// fs stores no headers: the middleware serves them, the same for tus and ordinary uploads.
describeTusStoredHeaders('fs', { backend: () => fsBackend({ dir }) });

const storage = createMemoryStorage();
describeTusScenarios('memory', { backend: () => createMemoryBackend({ storage }), big: false });
