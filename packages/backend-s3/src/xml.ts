import { createRequire } from 'node:module';
import { AttError } from '@att/store-core';

/**
 * fast-xml-parser is loaded through `require`, also from the ESM build: its ESM entry is ~25 separate modules plus
 * dependencies (measured +8 MiB RSS and 75–400 ms to load), its CommonJS entry one bundled file (+2.3 MiB, ~5 ms).
 * Every process using this client pays that load, and it showed in the benchmark's baseline RSS.
 */
// `__filename` exists only in the CommonJS build (bundlers rewrite a bare `require` in ESM output, this they leave).
const requireHere = createRequire(typeof __filename === 'string' ? __filename : import.meta.url);
const { XMLParser } = requireHere('fast-xml-parser') as typeof import('fast-xml-parser');

/**
 * S3 XML in and out. Values are kept as strings and untrimmed (a key may be "123" or start with a space);
 * character references (`&#13;`) are decoded because S3 uses them for control characters in keys.
 */
const ARRAY_ELEMENTS = new Set(['Contents', 'Upload', 'Deleted', 'Error', 'CommonPrefixes', 'Part']);

const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: false,
  processEntities: true,
  htmlEntities: true,
  ignoreDeclaration: true,
  removeNSPrefix: true,
  // `Error` is an array only inside a DeleteResult; as a root it is the error document itself.
  // Callbacks get the path as an object; with `jPath: true` the parser would build its string for every element and
  // text value (≈ 6% of a listing's time). Only `Error` needs it.
  jPath: false,
  isArray: (name, jpath) => ARRAY_ELEMENTS.has(name) && (name !== 'Error' || String(jpath) !== 'Error'),
});

export type XmlNode = Record<string, unknown>;

/** Parses an XML document; malformed input (or not XML at all) → BACKEND_ERROR naming the operation. */
export function parseXml(text: string, operation: string): XmlNode {
  let doc: unknown;
  try {
    doc = parser.parse(text, true);
  } catch (err) {
    throw new AttError('BACKEND_ERROR', `S3 ${operation}: the server sent malformed XML`, {
      cause: err,
      details: { operation, bodyStart: text.slice(0, 200) },
    });
  }
  if (doc === null || typeof doc !== 'object') {
    throw new AttError('BACKEND_ERROR', `S3 ${operation}: the server sent malformed XML`, { details: { operation } });
  }
  return doc as XmlNode;
}

/**
 * Parses a large, well-known document (a listing page) without the validation pass, which costs about as much as
 * a third of the parse. A cheap structural check stands in for it: the text must end with the closing tag (or
 * self-closing tag) of one of `roots`, so a cut or garbled page is still rejected, and the result must hold that
 * root. Callers check the fields they rely on (IsTruncated, continuation markers) themselves.
 */
export function parseXmlPage(text: string, operation: string, roots: readonly string[]): XmlNode {
  const end = text.trimEnd();
  const closed = roots.some((name) => end.endsWith(`</${name}>`) || new RegExp(`<${name}\\b[^<>]*/>$`).test(end));
  let doc: unknown;
  try {
    if (closed) doc = parser.parse(text);
  } catch (err) {
    throw malformed(operation, text, err);
  }
  if (!closed || doc === null || typeof doc !== 'object' || !roots.some((name) => name in (doc as XmlNode))) {
    throw malformed(operation, text);
  }
  return doc as XmlNode;
}

function malformed(operation: string, text: string, cause?: unknown): AttError {
  return new AttError('BACKEND_ERROR', `S3 ${operation}: the server sent malformed XML`, {
    ...(cause === undefined ? {} : { cause }),
    details: { operation, bodyStart: text.slice(0, 200) },
  });
}

/** The root element `name` of a parsed document, or BACKEND_ERROR when the server answered something else. */
export function rootElement(doc: XmlNode, name: string, operation: string): XmlNode {
  const root = doc[name];
  if (root === '' || root === undefined) {
    if (root === '') return {}; // an empty element like <ListBucketResult/>
    const got = Object.keys(doc).find((k) => !k.startsWith('#')) ?? 'nothing';
    throw new AttError('BACKEND_ERROR', `S3 ${operation}: expected <${name}> in the response, got <${got}>`, {
      details: { operation },
    });
  }
  if (typeof root !== 'object' || root === null) return {};
  return root as XmlNode;
}

export function text(node: XmlNode, name: string): string | undefined {
  const value = node[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && '#text' in value) return String((value as XmlNode)['#text']);
  return typeof value === 'object' ? '' : String(value);
}

export function list(node: XmlNode, name: string): XmlNode[] {
  const value = node[name];
  if (value === undefined) return [];
  const items = Array.isArray(value) ? value : [value];
  return items.map((item) => (typeof item === 'object' && item !== null ? (item as XmlNode) : {}));
}

export function bool(node: XmlNode, name: string): boolean {
  return text(node, name)?.trim().toLowerCase() === 'true';
}

/** A date element, or undefined when missing or unparseable (never a zero date that looks infinitely old). */
export function date(node: XmlNode, name: string): Date | undefined {
  const value = text(node, name);
  if (!value) return undefined;
  const parsed = new Date(value.trim());
  return Number.isNaN(parsed.getTime()) ? undefined : parsed;
}

export function int(node: XmlNode, name: string): number | undefined {
  const value = text(node, name)?.trim();
  if (!value || !/^\d+$/.test(value)) return undefined;
  return Number(value);
}

/** Escapes text for an XML element body; characters XML 1.0 cannot carry are written as references. */
export function escapeXml(value: string): string {
  return value.replace(/[&<>"'\r\t\n]/g, (c) => {
    switch (c) {
      case '&':
        return '&amp;';
      case '<':
        return '&lt;';
      case '>':
        return '&gt;';
      case '"':
        return '&quot;';
      case "'":
        return '&apos;';
      default:
        return `&#${c.charCodeAt(0)};`;
    }
  });
}

const S3_NS = 'http://s3.amazonaws.com/doc/2006-03-01/';

export function deleteObjectsXml(keys: readonly string[]): string {
  let body = `<?xml version="1.0" encoding="UTF-8"?><Delete xmlns="${S3_NS}"><Quiet>true</Quiet>`;
  for (const key of keys) body += `<Object><Key>${escapeXml(key)}</Key></Object>`;
  return `${body}</Delete>`;
}

export function completeMultipartXml(parts: readonly { partNumber: number; etag: string }[]): string {
  let body = `<?xml version="1.0" encoding="UTF-8"?><CompleteMultipartUpload xmlns="${S3_NS}">`;
  for (const part of parts) {
    body += `<Part><PartNumber>${part.partNumber}</PartNumber><ETag>${escapeXml(part.etag)}</ETag></Part>`;
  }
  return `${body}</CompleteMultipartUpload>`;
}
