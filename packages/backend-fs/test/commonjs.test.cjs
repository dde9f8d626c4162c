// The suite and the backend loaded through require(): CommonJS users get the same checks as ESM users.
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const path = require('node:path');
const { describeBackendConformance } = require('@att/store-core/testing');
const { fsBackend } = require('@att/backend-fs');

const dir = mkdtempSync(path.join(tmpdir(), 'att-fs-cjs-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

describeBackendConformance('fs via require()', () => fsBackend({ dir, fsync: false }), {
  largeBodies: false,
  manyKeys: false,
});
