import { defineConfig, type Options } from 'tsup';

/** The one build every @att package uses: ESM + CJS + .d.ts/.d.cts for Node >= 20.19. */
export function libraryConfig(entry: Record<string, string> = { index: 'src/index.ts' }, extra: Options = {}) {
  return defineConfig({
    entry,
    format: ['esm', 'cjs'],
    dts: true,
    clean: true,
    sourcemap: true,
    target: 'node20',
    platform: 'node',
    splitting: false,
    ...extra,
  });
}
