import { AttError } from '@att/store-core';

/**
 * User metadata travels as `x-amz-meta-<name>` headers. Header values must be printable ASCII and lose
 * surrounding whitespace, so any other value is sent as an RFC 2047 encoded word (`=?UTF-8?B?…?=`), the form
 * S3 itself uses when it returns non-ASCII metadata; reads decode it again.
 */
const META_PREFIX = 'x-amz-meta-';
const TOKEN = /^[a-z0-9!#$%&'*+.^_`|~-]+$/;
const PLAIN_VALUE = /^(?:[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?)?$/;
const ENCODED_WORD = /^=\?utf-8\?([bq])\?([^?]*)\?=$/i;

export function encodeHeaderValue(value: string): string {
  if (PLAIN_VALUE.test(value) && !ENCODED_WORD.test(value)) return value;
  return `=?UTF-8?B?${Buffer.from(value, 'utf8').toString('base64')}?=`;
}

export function decodeHeaderValue(value: string): string {
  const match = ENCODED_WORD.exec(value);
  if (!match) return value;
  const payload = match[2] as string;
  if ((match[1] as string).toLowerCase() === 'b') return Buffer.from(payload, 'base64').toString('utf8');
  const bytes = payload.replace(/_/g, ' ').replace(/=([0-9a-f]{2})/gi, (_, hex: string) => `%${hex}`);
  try {
    return decodeURIComponent(bytes);
  } catch {
    return value;
  }
}

export function metadataHeaders(metadata: Record<string, string> | undefined, headers: Record<string, string>): void {
  if (!metadata) return;
  for (const [name, value] of Object.entries(metadata)) {
    const lower = name.toLowerCase();
    if (!TOKEN.test(lower)) {
      throw new AttError('INVALID_REQUEST', `metadata name ${JSON.stringify(name)} is not a valid header token`);
    }
    if (typeof value !== 'string') throw new AttError('INVALID_REQUEST', `metadata "${name}" must be a string`);
    headers[META_PREFIX + lower] = encodeHeaderValue(value);
  }
}

export function metadataFromHeaders(
  headers: Record<string, string | string[] | undefined>,
): Record<string, string> | undefined {
  let out: Record<string, string> | undefined;
  for (const [name, raw] of Object.entries(headers)) {
    if (!name.startsWith(META_PREFIX) || raw === undefined) continue;
    const value = Array.isArray(raw) ? raw.join(',') : raw;
    out ??= {};
    out[name.slice(META_PREFIX.length)] = decodeHeaderValue(value);
  }
  return out;
}
