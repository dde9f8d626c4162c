/**
 * The one table of "active" types: what a browser would run, render as a document, or load as a script, style
 * or module from our origin. Downloads of these go out as `application/octet-stream` attachments, because
 * `Content-Disposition: attachment` alone does not stop `<script src>`, `<link rel=stylesheet>`, `import` or an
 * `<?xml-stylesheet?>` from using a same-origin URL, and with `nosniff` an octet-stream body is refused by all of
 * them. Each entry has its own test (test/active-types.test.ts).
 */

/** Exact essences (lower-case, no parameters). */
export const ACTIVE_TYPES: readonly string[] = [
  // Documents a browser renders with scripts in our origin.
  'text/html',
  'application/xhtml+xml',
  'image/svg+xml',
  'text/xml',
  'application/xml',
  'text/xsl', // XSLT, run by an <?xml-stylesheet?> in any XML document of the origin
  'application/xslt+xml',
  'application/rss+xml',
  'application/atom+xml',
  'application/mathml+xml',
  'multipart/x-mixed-replace',
  // WHATWG's JavaScript MIME type essence list (MIME Sniffing §4.6): each is run by <script src>.
  'application/ecmascript',
  'application/javascript',
  'application/x-ecmascript',
  'application/x-javascript',
  'text/ecmascript',
  'text/javascript',
  'text/javascript1.0',
  'text/javascript1.1',
  'text/javascript1.2',
  'text/javascript1.3',
  'text/javascript1.4',
  'text/javascript1.5',
  'text/jscript',
  'text/livescript',
  'text/x-ecmascript',
  'text/x-javascript',
  // Loaded from a same-origin URL past a `'self'` policy: modules, styles, WebAssembly, workers' imports.
  'text/css',
  'application/wasm',
];

const ACTIVE = new Set(ACTIVE_TYPES);

/** The lower-case essence of a Content-Type (`text/html; charset=x` → `text/html`). */
export function essenceOf(contentType: string): string {
  return (contentType.split(';')[0] ?? '').trim().toLowerCase();
}

/** Types a browser would render or run in our origin (the table, any `+xml`, anything naming a script). */
export function isActiveType(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const essence = essenceOf(contentType);
  return (
    ACTIVE.has(essence) ||
    essence.endsWith('+xml') ||
    essence.includes('javascript') ||
    essence.includes('ecmascript') ||
    essence.includes('jscript')
  );
}

/** Names a browser (or the OS, once saved) would treat as active whatever the Content-Type says. */
const ACTIVE_EXTENSIONS = /\.(html?|xht(ml)?|shtml|svgz?|xml|xsl|xslt|rss|atom|js|mjs|cjs|jsx|css|wasm)$/i;

/** True for filenames whose extension is an active type: such downloads are octet-stream attachments too. */
export function hasActiveExtension(filename: string | undefined): boolean {
  return filename !== undefined && ACTIVE_EXTENSIONS.test(filename);
}

/** The extension a generated name gets for an active type. */
export function activeExtensionFor(essence: string): string {
  if (/javascript|ecmascript|jscript|livescript/.test(essence)) return 'js';
  if (essence === 'text/html') return 'html';
  if (essence === 'application/xhtml+xml') return 'xhtml';
  if (essence === 'image/svg+xml') return 'svg';
  if (essence === 'text/css') return 'css';
  if (essence === 'application/wasm') return 'wasm';
  if (essence === 'text/xsl' || essence === 'application/xslt+xml') return 'xsl';
  if (essence === 'multipart/x-mixed-replace') return 'bin';
  return 'xml';
}
