/**
 * Filenames come from clients, so they are cleaned once at upload: they are only ever shown and sent back in
 * Content-Disposition, never used for storage keys (the server-generated id is).
 */

/** C0/C1 controls, DEL, and the bidi overrides used to disguise extensions (e.g. "invoice\u202Efdp.exe"). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
const UNSAFE_CHARS = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;
/** Common filesystems allow 255 bytes; keep names displayable and header-friendly. */
const MAX_NAME_BYTES = 200;

export function sanitizeFilename(raw: string | undefined | null): string | undefined {
  if (typeof raw !== 'string') return undefined;
  let name = raw.replace(UNSAFE_CHARS, '');
  // Keep only the last path segment: "C:\\Users\\me\\a.txt" and "../../etc/passwd" both lose their directories.
  name = name.slice(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1);
  name = name.normalize('NFC').trim();
  if (name === '' || name === '.' || name === '..') return undefined;
  return truncateUtf8(name, MAX_NAME_BYTES);
}

/** Shortens to `maxBytes` of UTF-8 without splitting a character, keeping a short extension when there is one. */
function truncateUtf8(name: string, maxBytes: number): string {
  if (Buffer.byteLength(name) <= maxBytes) return name;
  const dot = name.lastIndexOf('.');
  const ext = dot > 0 && name.length - dot <= 16 ? name.slice(dot) : '';
  const budget = maxBytes - Buffer.byteLength(ext);
  let out = '';
  for (const ch of name.slice(0, name.length - ext.length)) {
    if (Buffer.byteLength(out + ch) > budget) break;
    out += ch;
  }
  return out + ext;
}

/**
 * Node decodes header bytes as Latin-1; clients that send raw UTF-8 in `Filename` get mojibake unless we
 * re-decode. Only done when the bytes really are valid UTF-8.
 */
export function decodeHeaderText(value: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: ASCII check
  if (/^[\u0000-\u007f]*$/.test(value) || /[^\u0000-\u00ff]/.test(value)) return value;
  const bytes = Buffer.from(value, 'latin1');
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return value;
  }
}

/**
 * Browsers and fetch's FormData (the HTML multipart encoding) send LF, CR and `"` in a part's filename as
 * %0A, %0D and %22; only those three are undone, so "say %22hi%22.txt" is the file the user picked,
 * `say "hi".txt` (and CR/LF are then stripped by sanitizeFilename like any control character).
 */
export function unescapeFormDataFilename(name: string | undefined): string | undefined {
  return name?.replace(/%(0A|0D|22)/gi, (_m, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
}
