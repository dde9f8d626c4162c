// Backend plugins this example knows. Registering is explicit (the packages have no import side effects), and
// @att/backend-s3 is optional at runtime: without it only the s3:// scheme is unavailable.
import { fsPlugin } from '@att/backend-fs';
import { defaultRegistry, registerBackend } from '@att/store-core';

registerBackend(fsPlugin);

let s3Problem;
try {
  const s3 = await import('@att/backend-s3');
  if (s3.s3Plugin) registerBackend(s3.s3Plugin);
  else s3Problem = '@att/backend-s3 does not export s3Plugin (is it built? run `pnpm build`)';
} catch (err) {
  s3Problem = `@att/backend-s3 could not be loaded (${err.code ?? err.message})`;
}

/** Throws a readable error when `storage` names a scheme no plugin handles. */
export function checkStorage(storage) {
  const match = /^([a-z][a-z0-9+.-]+):/i.exec(storage);
  if (!match) return; // a bare path: the fs backend
  const scheme = match[1].toLowerCase();
  if (defaultRegistry.has(scheme)) return;
  const hint = scheme === 's3' && s3Problem ? `: ${s3Problem}` : '';
  throw new Error(
    `ATT_STORAGE uses the scheme "${scheme}:", which no registered backend handles${hint}. ` +
      `Known schemes: ${defaultRegistry.schemes().join(', ')}`,
  );
}
