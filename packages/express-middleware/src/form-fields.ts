/**
 * The text fields of a multipart form, kept for `onStored` and the 201 answer. They are held in memory, so
 * their names and values together are bounded by `fieldsSizeLimit`, and their number by MAX_FIELDS; a field
 * over a bound fails the request as it is read, never after.
 */
import { AttError } from '@att/store-core';
import type { PartInfo } from './multipart-headers.js';
import type { FormFields } from './options.js';

/** More text fields than a form needs; each costs an entry in the answer. */
export const MAX_FIELDS = 100;
/** Longest field name kept; longer ones fail the request like an over-long value. */
export const FIELD_NAME_BYTES = 200;

export class FormFieldCollector {
  /** Repeated names give arrays, in the order they came. */
  readonly values: FormFields = Object.create(null);
  readonly #limit: number;
  #bytes = 0;
  #count = 0;
  #name = '';
  #charset = 'utf-8';
  #chunks: Buffer[] = [];

  constructor(limit: number) {
    this.#limit = limit;
  }

  tooLarge(): AttError {
    return new AttError('TOO_LARGE', `form fields larger than ${this.#limit} bytes`, {
      details: { limit: this.#limit },
    });
  }

  start(info: PartInfo): void {
    if (++this.#count > MAX_FIELDS) throw new AttError('INVALID_REQUEST', 'too many fields in multipart request');
    const nameBytes = Buffer.byteLength(info.name);
    this.#bytes += nameBytes;
    if (nameBytes > FIELD_NAME_BYTES || this.#bytes > this.#limit) throw this.tooLarge();
    this.#name = info.name;
    this.#charset = info.charset;
    this.#chunks = [];
  }

  add(bytes: Buffer): void {
    this.#bytes += bytes.length;
    if (this.#bytes > this.#limit) throw this.tooLarge();
    // Copied: a few bytes kept by reference would keep their whole socket chunk (64 KiB) alive.
    this.#chunks.push(Buffer.from(bytes));
  }

  end(): void {
    const value = decode(Buffer.concat(this.#chunks), this.#charset);
    this.#chunks = [];
    const before = this.values[this.#name];
    this.values[this.#name] =
      before === undefined ? value : Array.isArray(before) ? [...before, value] : [before, value];
  }
}

/** UTF-8 unless the part names another charset the platform knows (a form's `accept-charset`). */
function decode(bytes: Buffer, charset: string): string {
  if (charset === 'utf-8' || charset === 'utf8') return bytes.toString('utf8');
  try {
    return new TextDecoder(charset).decode(bytes);
  } catch {
    return bytes.toString('utf8');
  }
}
