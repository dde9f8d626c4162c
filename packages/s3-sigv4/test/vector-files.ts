// Readers for AWS's SigV4 test-suite files vendored under test/vectors (see vectors/README.md).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const VECTORS_DIR = join(import.meta.dirname, 'vectors');

/** A raw HTTP request as written in the suite's `.req` / `request.txt` files. */
export interface RawRequest {
  method: string;
  /** Request target exactly as written (may hold spaces, UTF-8, `..`). */
  target: string;
  /** Header name (as spelled first) → value; repeated names joined with `,`, folded lines joined with `\n`. */
  headers: Record<string, string>;
  host: string;
  body: string;
}

export function parseRawRequest(text: string): RawRequest {
  const blank = text.indexOf('\n\n');
  const head = blank === -1 ? text : text.slice(0, blank);
  const body = blank === -1 ? '' : text.slice(blank + 2);
  const lines = head.split('\n');
  const requestLine = lines[0]!;
  const firstSpace = requestLine.indexOf(' ');
  const method = requestLine.slice(0, firstSpace);
  const target = requestLine.slice(firstSpace + 1, requestLine.lastIndexOf(' HTTP/'));
  const headers: Record<string, string> = {};
  const spelling = new Map<string, string>();
  let last: string | undefined;
  for (const line of lines.slice(1)) {
    if (line === '') continue; // trailing newline of a bodiless request
    if ((line.startsWith(' ') || line.startsWith('\t')) && last !== undefined) {
      headers[last] += `\n${line}`; // obsolete line folding, kept so the signer has to collapse it
      continue;
    }
    const colon = line.indexOf(':');
    const name = line.slice(0, colon);
    const value = line.slice(colon + 1);
    const lower = name.toLowerCase();
    const existing = spelling.get(lower);
    if (existing === undefined) {
      spelling.set(lower, name);
      headers[name] = value;
      last = name;
    } else {
      headers[existing] += `,${value}`;
      last = existing;
    }
  }
  const hostName = spelling.get('host');
  const host = hostName === undefined ? '' : headers[hostName]!.trim();
  return { method, target, headers, host, body };
}

/** Directories under `root` that hold a file satisfying `isVector`, found recursively and sorted. */
export function findVectorDirs(root: string, isVector: (dir: string) => boolean): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    if (isVector(dir)) found.push(dir);
    for (const entry of readdirSync(dir).sort()) {
      const child = join(dir, entry);
      if (statSync(child).isDirectory()) walk(child);
    }
  };
  walk(root);
  return found;
}

export function read(path: string): string {
  return readFileSync(path, 'utf8');
}

export function has(path: string): boolean {
  return existsSync(path);
}

/** `20150830T123600Z` → Date. */
export function parseAmzDate(value: string): Date {
  const iso = `${value.slice(0, 4)}-${value.slice(4, 6)}-${value.slice(6, 11)}:${value.slice(11, 13)}:${value.slice(13, 15)}Z`;
  return new Date(iso);
}
