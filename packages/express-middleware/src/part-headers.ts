/**
 * busboy refuses a part header holding any control character but HTAB ("Malformed part header"), yet browsers
 * and fetch's FormData send filenames with such characters raw (the HTML form encoding escapes only CR, LF and
 * `"`). Those bytes are removed before busboy's header parser sees them, so the file is stored under a cleaned
 * name instead of failing the whole request. Only header bytes are looked at and copied; file data never is.
 *
 * This hooks busboy 1.6's per-part header parser (the `_hparser` field it assigns at each part): with a busboy
 * that has no such field the hook is never called and busboy's own behaviour (a 400) stays.
 */

type HeaderPush = (chunk: Buffer, start: number, end: number) => number;

/** Control characters busboy rejects in header values; HTAB, CR and LF are the header syntax itself. */
function isRejectedControl(byte: number): boolean {
  return (byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d) || byte === 0x7f;
}

export function stripControlCharsFromPartHeaders(parser: object): void {
  const wrapped = new WeakSet<object>();
  let current: unknown = (parser as { _hparser?: unknown })._hparser ?? null;
  Object.defineProperty(parser, '_hparser', {
    configurable: true,
    enumerable: true,
    get: () => current,
    set(value: unknown) {
      if (value !== null && typeof value === 'object' && !wrapped.has(value)) {
        const target = value as { push?: HeaderPush };
        if (typeof target.push === 'function') {
          target.push = filteringPush(target.push.bind(value));
          wrapped.add(value);
        }
      }
      current = value;
    },
  });
}

function filteringPush(push: HeaderPush): HeaderPush {
  return (chunk, start, end) => {
    // The header ends at the first CRLFCRLF; bytes after it are file data and stay untouched.
    let stop = end;
    let found = false;
    for (let i = start; i < end; i++) {
      const byte = chunk[i] as number;
      if (isRejectedControl(byte)) found = true;
      else if (byte === 0x0d && chunk[i + 1] === 0x0a && chunk[i + 2] === 0x0d && chunk[i + 3] === 0x0a) {
        stop = Math.min(end, i + 4);
        break;
      }
    }
    if (!found) return push(chunk, start, end);

    const kept: number[] = [];
    const bytes: number[] = [];
    for (let i = start; i < stop; i++) {
      const byte = chunk[i] as number;
      if (isRejectedControl(byte)) continue;
      bytes.push(byte);
      kept.push(i);
    }
    const filtered = Buffer.from(bytes);
    const ret = push(filtered, 0, filtered.length);
    if (ret < 0) return ret;
    if (ret === filtered.length) return stop;
    // Where the parser stopped, in the original chunk: just after the last byte it consumed.
    return ret === 0 ? start : (kept[ret - 1] as number) + 1;
  };
}
