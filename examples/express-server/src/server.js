// Placeholder until the middleware lands: prints the workspace packages.
import { readdirSync, readFileSync } from 'node:fs';

const root = new URL('../../../packages/', import.meta.url);
for (const dir of readdirSync(root)) {
  const pkg = JSON.parse(readFileSync(new URL(`${dir}/package.json`, root), 'utf8'));
  console.log(`${pkg.name.padEnd(28)} ${pkg.description}`);
}
