// `pnpm build` in this example: bundles the page's Uppy module (src/browser/direct-upload.js, with @uppy/core and
// @uppy/aws-s3) into dist/direct-upload.js with esbuild, which the server serves under /build/. No CDN: the page
// loads only what this server sends. The rest of the page (public/) needs no build.
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('../', import.meta.url));

export async function buildPage({ minify = true } = {}) {
  await build({
    absWorkingDir: root,
    entryPoints: ['src/browser/direct-upload.js'],
    outfile: 'dist/direct-upload.js',
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify,
    sourcemap: true,
    legalComments: 'linked',
    logLevel: 'warning',
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildPage();
