// att's other packages never import OpenTelemetry: an app without @att/otel loads none of it. Checked on what
// ships (each package's built dist/ and its dependencies), so a stray import anywhere fails here.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, it } from 'vitest';

const packages = ['store-core', 'backend-fs', 'backend-s3', 'express-middleware', 's3-sigv4', 'state-redis'];

it.each(packages)('@att/%s neither imports nor depends on @opentelemetry/*', async (name) => {
  const root = join(import.meta.dirname, '..', '..', name);
  const manifest = JSON.parse(await readFile(join(root, 'package.json'), 'utf8'));
  const declared = Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies });
  expect(declared.filter((dep) => dep.startsWith('@opentelemetry/'))).toEqual([]);
  const files = (await readdir(join(root, 'dist'))).filter((file) => /\.(c?js)$/.test(file));
  expect(files.length, 'built first (pnpm test builds)').toBeGreaterThan(0);
  for (const file of files) {
    const text = await readFile(join(root, 'dist', file), 'utf8');
    expect(text.includes('@opentelemetry'), `${name}/dist/${file} mentions @opentelemetry`).toBe(false);
  }
});
